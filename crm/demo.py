"""CRM demo data: complaint categories, tickets, contact notes, survey answers, list entries
and one duplicate customer, so every CRM screen shows something real after `load_demo`.

Most of it is dated inside the purchase history (which the demo loader moves to end just
before today), so the reports' default window (the last 12 months) shows complaints and
satisfaction next to the sales; a few tickets are recent so the queue has open and overdue
ones. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from oscar.core.loading import get_model

from crm import services
from crm.models import (
    ContactLogEntry,
    ListEntry,
    SurveyInvitation,
    Ticket,
    TicketCategory,
    TicketMessage,
)

User = get_user_model()
Order = get_model("order", "Order")

DEMO_CATEGORIES = (
    ("Product quality", 24),
    ("Checkout and till", 8),
    ("Pre-orders and collection", 48),
    ("Staff and service", 24),
)
DEMO_COMPLAINTS = (
    ("Milk past its date", "The milk I bought was sour the same evening."),
    ("Charged twice at the till", "My card shows the same purchase twice."),
    ("Bread was stale", "The rolls were hard on the day I bought them."),
    ("Points missing", "I did not get points for my last purchase."),
    ("Rude cashier", "The cashier was impatient with me."),
    ("Broken eggs", "Two eggs in the box were broken."),
    ("Wrong price on the shelf", "The shelf said 3.50, the till charged 4.20."),
    ("Pre-order not ready", "My pre-order was not ready at the collection time."),
)
DEMO_REPLY = "Sorry about this. We have refunded the item and told the team."
DEMO_RESOLUTION = "Refunded in full; thank you for telling us."
DEMO_NOTES = (
    (ContactLogEntry.Kind.CALL, "Called about a missing receipt; sent a copy by email."),
    (ContactLogEntry.Kind.NOTE, "Prefers to be contacted by email, not phone."),
    (ContactLogEntry.Kind.EMAIL, "Asked how points expire; explained the 12-month rule."),
)
SURVEY_ANSWERS = 300
DEMO_MANAGER_USERNAME = "marketingmanager"


def _members(count: int) -> list:
    return list(
        User.objects.filter(is_staff=False, is_active=True, username__startswith="member").order_by(
            "pk"
        )[:count]
    )


def _historic_ticket(*, member, order, category, subject, body, rng, staff) -> Ticket:
    filed = order.date_placed + dt.timedelta(hours=rng.randint(2, 30))
    ticket = services.ticket_create(
        category_id=category.pk,
        subject=subject,
        body=body,
        customer=member,
        order_id=order.pk,
        now=filed,
    )
    # Most replies inside the promise, some late: the complaint KPIs show both.
    reply_at = filed + dt.timedelta(hours=rng.choice([1, 3, 6, 10, 20, 30, 50]))
    services.ticket_reply(ticket_id=ticket.pk, author=staff, body=DEMO_REPLY, now=reply_at)
    resolved_at = reply_at + dt.timedelta(hours=rng.randint(1, 24))
    services.ticket_resolve(
        ticket_id=ticket.pk, author=staff, resolution=DEMO_RESOLUTION, now=resolved_at
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.CLOSED,
        closed_at=resolved_at + dt.timedelta(hours=2),
        satisfaction=rng.choice([2, 3, 4, 4, 5, 5, 5]),
    )
    messages = list(TicketMessage.objects.filter(ticket=ticket).order_by("pk"))
    for message, when in zip(messages, [reply_at, resolved_at], strict=False):
        # History: dated when it happened, and long since emailed.
        TicketMessage.objects.filter(pk=message.pk).update(created_at=when, notified_at=when)
    return ticket


def _recent_tickets(*, members, categories, staff, now) -> int:
    services.ticket_create(
        category_id=categories[1].pk,
        subject=DEMO_COMPLAINTS[1][0],
        body=DEMO_COMPLAINTS[1][1],
        customer=members[0],
        now=now - dt.timedelta(hours=12),
    )
    services.ticket_create(
        category_id=categories[0].pk,
        subject=DEMO_COMPLAINTS[0][0],
        body=DEMO_COMPLAINTS[0][1],
        customer=members[1],
        now=now - dt.timedelta(hours=2),
    )
    answered = services.ticket_create(
        category_id=categories[3].pk,
        subject=DEMO_COMPLAINTS[4][0],
        body=DEMO_COMPLAINTS[4][1],
        customer=members[2],
        now=now - dt.timedelta(hours=5),
    )
    services.ticket_reply(ticket_id=answered.pk, author=staff, body=DEMO_REPLY)
    TicketMessage.objects.filter(ticket=answered).update(notified_at=F("created_at"))
    return 3


@transaction.atomic
def crm_demo_install(*, seed: int = 8) -> dict[str, int]:
    categories = [
        TicketCategory.objects.get_or_create(name=name, defaults={"first_reply_hours": hours})[0]
        for name, hours in DEMO_CATEGORIES
    ]
    if Ticket.objects.filter(subject__in=[subject for subject, _body in DEMO_COMPLAINTS]).exists():
        return {"tickets": 0}
    staff = (
        User.objects.filter(username=DEMO_MANAGER_USERNAME).first()
        or User.objects.filter(is_superuser=True).first()
    )
    if staff is None:
        return {"tickets": 0}
    rng = random.Random(seed)
    members = _members(400)
    if not members:
        return {"tickets": 0}

    # Historic complaints about real orders, spread over the history.
    created = 0
    complainers = rng.sample(members, min(40, len(members)))
    for index, member in enumerate(complainers):
        order = Order.objects.filter(user=member).order_by("date_placed").last()
        if order is None:
            continue
        subject, body = DEMO_COMPLAINTS[index % len(DEMO_COMPLAINTS)]
        _historic_ticket(
            member=member,
            order=order,
            category=categories[index % len(categories)],
            subject=subject,
            body=body,
            rng=rng,
            staff=staff,
        )
        created += 1

    # Recent ones: the queue has something open, one answered, one overdue.
    now = timezone.now()
    if len(members) >= 3:
        created += _recent_tickets(
            members=members[-3:], categories=categories, staff=staff, now=now
        )

    # Survey answers after orders, dated the day after each order.
    surveyed = (
        Order.objects.filter(user__in=members, crm_survey__isnull=True)
        .order_by("pk")
        .values_list("pk", "user_id", "date_placed")
    )
    invitations = []
    for order_id, user_id, placed in rng.sample(list(surveyed), min(SURVEY_ANSWERS, len(surveyed))):
        answered_at = placed + dt.timedelta(days=1)
        invitations.append(
            SurveyInvitation(
                customer_id=user_id,
                trigger=SurveyInvitation.Trigger.ORDER,
                order_id=order_id,
                sent_at=placed + dt.timedelta(hours=2),
                answered_at=answered_at,
                score=rng.choice([10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3]),
            )
        )
    SurveyInvitation.objects.bulk_create(invitations)

    for index, member in enumerate(members[:12]):
        kind, body = DEMO_NOTES[index % len(DEMO_NOTES)]
        services.contact_log_add(customer_id=member.pk, kind=kind, body=body, created_by=staff)

    if len(members) < 11:
        # A small history (tests) has too few members for the lists and the duplicate.
        return {"tickets": created, "surveys": len(invitations)}
    services.list_entry_add(
        customer_id=members[5].pk,
        kind=ListEntry.Kind.BLACK,
        reason="Card used by someone else; chargebacks",
        created_by=staff,
    )
    for member in members[6:8]:
        services.list_entry_add(
            customer_id=member.pk,
            kind=ListEntry.Kind.GREY,
            reason="Did not collect two pre-orders",
            created_by=staff,
            expires_at=now + dt.timedelta(days=90),
        )
    services.list_entry_add(
        customer_id=members[8].pk,
        kind=ListEntry.Kind.WHITE,
        reason="Student union treasurer; orders for events",
        created_by=staff,
    )

    # One duplicate: the same person registered again with the email in capitals.
    original = members[10]
    if not User.objects.filter(username=f"{original.username}-dup").exists():
        User.objects.create_user(
            username=f"{original.username}-dup", email=original.email.upper(), password=None
        )
    return {"tickets": created, "surveys": len(invitations)}
