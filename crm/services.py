"""Write-side services of the CRM: contact log, tickets, surveys, lists, merges, roles.

Views, hooks, receivers and tasks only call these. Anything that touches points or wallet
money goes through loyalty's public services, so the ledgers stay the only truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.links import site_url
from crm import tasks
from crm.models import (
    ContactLogEntry,
    ListEntry,
    PrivacyLog,
    SurveyInvitation,
    SurveySettings,
    Ticket,
    TicketCategory,
    TicketMessage,
)
from loyalty.models import MemberCard, PointsAccount
from loyalty.selectors import member_standing_forget
from loyalty.services.ledger import points_adjust, points_release_due
from loyalty.services.tiers import tier_recompute_for_account
from shop.apps.order.selectors import orders_paid
from staff.roles import MARKETING_MANAGERS_GROUP
from wallet import services as wallet_services
from wallet.models import Wallet

User = get_user_model()
Order = get_model("order", "Order")

TICKET_PHOTO_MAX_BYTES = 5 * 1024 * 1024
TICKET_PHOTO_CONTENT_TYPES = {"image/jpeg", "image/png", "image/webp"}
TICKET_PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}

SURVEY_SIGNING_SALT = "crm.survey"
SURVEY_LINK_MAX_AGE = dt.timedelta(days=60)


def _require(user, permission: str, message: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionError(message)


# =========================================================================== contact log


@transaction.atomic
def contact_log_add(*, customer_id: int, kind: str, body: str, created_by) -> ContactLogEntry:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write what was said or done."), code="body_missing")
    if kind not in ContactLogEntry.Kind.values:
        raise ValidationError(_("Choose a kind of contact."), code="kind_invalid")
    return ContactLogEntry.objects.create(
        customer_id=customer_id, kind=kind, body=body, created_by=created_by
    )


# =========================================================================== tickets


def ticket_photo_validate(*, photo) -> None:
    """Refuse what is not a small photo before anything is stored."""
    if photo is None:
        return
    if photo.size > TICKET_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": f"{photo.size / 1024 / 1024:.1f}",
                "limit": TICKET_PHOTO_MAX_BYTES // 1024 // 1024,
            },
            code="photo_too_large",
        )
    name = (photo.name or "").lower()
    content_type = getattr(photo, "content_type", None)
    if not any(name.endswith(ext) for ext in TICKET_PHOTO_EXTENSIONS) or (
        content_type and content_type not in TICKET_PHOTO_CONTENT_TYPES
    ):
        raise ValidationError(_("Attach a photo as JPEG, PNG or WebP."), code="photo_type_invalid")


def ticket_contact_email(*, ticket: Ticket) -> str:
    if ticket.customer_id and ticket.customer.email:
        return ticket.customer.email
    if ticket.card_id and ticket.card.user_id:
        return ticket.card.user.email
    return ""


@transaction.atomic
def ticket_create(
    *,
    category_id: int,
    subject: str,
    body: str,
    customer=None,
    card: MemberCard | None = None,
    order_id: int | None = None,
    photo=None,
    now: dt.datetime | None = None,
) -> Ticket:
    """File a complaint; its first-reply deadline comes from the category."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise ValidationError(_("Give the complaint a subject and say what happened."))
    if customer is None and card is None:
        raise ValidationError(_("A complaint needs a member."), code="member_missing")
    if customer is None and card is not None and card.user_id:
        customer = card.user
    category = TicketCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationError(_("Choose a category."), code="category_missing")
    order = None
    if order_id:
        owners = [customer.pk] if customer is not None else []
        order = Order.objects.filter(pk=order_id, user_id__in=owners).first()
        if order is None:
            raise ValidationError(_("This order is not yours."), code="order_not_yours")
    ticket_photo_validate(photo=photo)
    now = now or timezone.now()
    ticket = Ticket(
        customer=customer,
        card=card,
        category=category,
        order=order,
        subject=subject,
        body=body,
        created_at=now,
        first_reply_due_at=now + dt.timedelta(hours=category.first_reply_hours),
    )
    if photo is not None:
        ticket.photo = photo
    ticket.save()
    return ticket


def _ticket_lock(*, ticket_id: int) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket_id)


def _queue_message_notice(message: TicketMessage) -> None:
    transaction.on_commit(lambda: tasks.crm_ticket_message_notify.delay(message.pk))


@transaction.atomic
def ticket_reply(
    *, ticket_id: int, author, body: str, now: dt.datetime | None = None
) -> TicketMessage:
    """A staff reply: the first one meets (or misses) the deadline; the member is emailed."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("The reply is empty."), code="body_missing")
    ticket = _ticket_lock(ticket_id=ticket_id)
    if ticket.status == Ticket.Status.CLOSED:
        raise ValidationError(_("This ticket is closed."), code="ticket_closed")
    now = now or timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, is_staff_reply=True, body=body
    )
    ticket.first_replied_at = ticket.first_replied_at or now
    if ticket.status == Ticket.Status.OPEN:
        ticket.status = Ticket.Status.ANSWERED
    if ticket.assigned_to_id is None:
        ticket.assigned_to = author
    ticket.save(update_fields=["first_replied_at", "status", "assigned_to"])
    _queue_message_notice(message)
    return message


@transaction.atomic
def ticket_member_reply(*, ticket_id: int, author, body: str) -> TicketMessage:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("The message is empty."), code="body_missing")
    ticket = _ticket_lock(ticket_id=ticket_id)
    if ticket.status == Ticket.Status.CLOSED:
        raise ValidationError(_("This ticket is closed."), code="ticket_closed")
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, is_staff_reply=False, body=body
    )
    if ticket.status in (Ticket.Status.ANSWERED, Ticket.Status.RESOLVED):
        # The member is not satisfied yet: back in the staff's queue.
        ticket.status = Ticket.Status.OPEN
        ticket.resolved_at = None
        ticket.save(update_fields=["status", "resolved_at"])
    return message


@transaction.atomic
def ticket_assign(*, ticket_id: int, assignee) -> Ticket:
    ticket = _ticket_lock(ticket_id=ticket_id)
    if (
        assignee is not None
        and not assignee.is_staff
        and not assignee.has_perm("crm.change_ticket")
    ):
        raise ValidationError(_("Tickets can only be assigned to staff."), code="not_staff")
    ticket.assigned_to = assignee
    ticket.save(update_fields=["assigned_to"])
    return ticket


@transaction.atomic
def ticket_resolve(
    *, ticket_id: int, author, resolution: str, now: dt.datetime | None = None
) -> Ticket:
    """Resolve with a message to the member, who then answers the satisfaction question."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("Say how the complaint was resolved."), code="resolution_missing")
    ticket = _ticket_lock(ticket_id=ticket_id)
    if ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise ValidationError(_("This ticket is already resolved."), code="already_resolved")
    now = now or timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, is_staff_reply=True, body=resolution
    )
    ticket.first_replied_at = ticket.first_replied_at or now
    ticket.status = Ticket.Status.RESOLVED
    ticket.resolved_at = now
    ticket.save(update_fields=["first_replied_at", "status", "resolved_at"])
    _queue_message_notice(message)
    return ticket


@transaction.atomic
def ticket_close(*, ticket_id: int, satisfaction: int, now: dt.datetime | None = None) -> Ticket:
    """The member's satisfaction answer closes a resolved ticket (and may queue a survey)."""
    if satisfaction is None or not 1 <= int(satisfaction) <= 5:
        raise ValidationError(_("Choose from 1 to 5."), code="satisfaction_invalid")
    ticket = _ticket_lock(ticket_id=ticket_id)
    if ticket.status != Ticket.Status.RESOLVED:
        raise ValidationError(
            _("Only a resolved ticket can be closed."), code="ticket_not_resolved"
        )
    ticket.satisfaction = int(satisfaction)
    ticket.status = Ticket.Status.CLOSED
    ticket.closed_at = now or timezone.now()
    ticket.save(update_fields=["satisfaction", "status", "closed_at"])
    if ticket.customer_id and SurveySettings.load().after_ticket:
        invitation, created = SurveyInvitation.objects.get_or_create(
            ticket=ticket,
            defaults={
                "customer_id": ticket.customer_id,
                "trigger": SurveyInvitation.Trigger.TICKET,
            },
        )
        if created:
            transaction.on_commit(lambda: tasks.crm_survey_send.delay(invitation.pk))
    return ticket


def ticket_message_notify(*, message_id: int) -> bool:
    """Email the member about a staff reply; once per message (returns whether it sent)."""
    with transaction.atomic():
        message = (
            TicketMessage.objects.select_for_update(of=("self",))
            .select_related("ticket__customer", "ticket__card__user")
            .get(pk=message_id)
        )
        if message.notified_at is not None or not message.is_staff_reply:
            return False
        ticket = message.ticket
        email = ticket_contact_email(ticket=ticket)
        if not email:
            return False
        context = {
            "ticket": ticket,
            "message": message,
            "ticket_url": site_url(reverse("crm-support:ticket", args=[ticket.pk])),
        }
        subject = render_to_string("crm/emails/ticket_reply_subject.txt", context).strip()
        body = render_to_string("crm/emails/ticket_reply_body.txt", context)
        message.notified_at = timezone.now()
        message.save(update_fields=["notified_at"])
        # Inside the lock: a concurrent retry waits and then finds notified_at set.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return True


def tickets_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Flag every ticket past its first-reply deadline and email the managers, once each."""
    now = now or timezone.now()
    escalated = 0
    due_ids = list(
        Ticket.objects.filter(
            first_replied_at__isnull=True,
            escalated_at__isnull=True,
            first_reply_due_at__lt=now,
            status=Ticket.Status.OPEN,
        ).values_list("pk", flat=True)
    )
    recipients = list(
        User.objects.filter(groups__name=MARKETING_MANAGERS_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    for ticket_id in due_ids:
        with transaction.atomic():
            ticket = _ticket_lock(ticket_id=ticket_id)
            if ticket.escalated_at is not None or ticket.first_replied_at is not None:
                continue
            ticket.escalated_at = now
            ticket.save(update_fields=["escalated_at"])
            to = set(recipients)
            if ticket.assigned_to_id and ticket.assigned_to.email:
                to.add(ticket.assigned_to.email)
            if to:
                context = {
                    "ticket": ticket,
                    "admin_url": site_url(reverse("crm_tickets:edit", args=[ticket.pk])),
                }
                send_mail(
                    render_to_string("crm/emails/ticket_escalated_subject.txt", context).strip(),
                    render_to_string("crm/emails/ticket_escalated_body.txt", context),
                    settings.DEFAULT_FROM_EMAIL,
                    sorted(to),
                )
            escalated += 1
    return escalated


# =========================================================================== surveys


def survey_order_is_sampled(*, order_id: int, percent: int) -> bool:
    """A fixed pseudo-random share of orders: the same order always gets the same answer,
    so a replayed signal cannot flip it."""
    return (order_id * 2654435761) % 100 < percent


def survey_token(*, invitation_id: int) -> str:
    return signing.dumps({"survey": invitation_id}, salt=SURVEY_SIGNING_SALT)


def survey_invitation_from_token(*, token: str) -> SurveyInvitation:
    try:
        data = signing.loads(
            token, salt=SURVEY_SIGNING_SALT, max_age=SURVEY_LINK_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise ValidationError(_("This survey link has expired."), code="expired") from error
    except signing.BadSignature as error:
        raise ValidationError(_("This survey link is not valid."), code="bad_link") from error
    invitation = SurveyInvitation.objects.filter(pk=data.get("survey")).first()
    if invitation is None:
        raise ValidationError(_("This survey link is not valid."), code="bad_link")
    return invitation


@transaction.atomic
def survey_invitation_for_order(
    *, order_id: int, now: dt.datetime | None = None
) -> SurveyInvitation | None:
    """The order's invitation (created once), or None when the order is not surveyed (not
    sampled, switched off, no customer) or not yet: the delay after the order is not over."""
    existing = SurveyInvitation.objects.filter(order_id=order_id).first()
    if existing is not None:
        return existing
    rules = SurveySettings.load()
    if not rules.after_order or not survey_order_is_sampled(
        order_id=order_id, percent=rules.order_sample_percent
    ):
        return None
    order = Order.objects.filter(pk=order_id).only("user_id", "date_placed").first()
    if order is None or order.user_id is None:
        return None
    # A worker honours the task's countdown; an eager run (or an early retry) does not, so
    # the delay is checked here and the hourly sweep sends what was not due yet.
    due_at = order.date_placed + dt.timedelta(hours=rules.order_delay_hours)
    if due_at > (now or timezone.now()):
        return None
    invitation, _created = SurveyInvitation.objects.get_or_create(
        order_id=order_id,
        defaults={"customer_id": order.user_id, "trigger": SurveyInvitation.Trigger.ORDER},
    )
    return invitation


SURVEY_SWEEP_WINDOW = dt.timedelta(days=7)


def surveys_send_due(*, now: dt.datetime | None = None) -> int:
    """Send the order surveys whose delay is over (orders of the last week); idempotent."""
    now = now or timezone.now()
    rules = SurveySettings.load()
    if not rules.after_order:
        return 0
    latest = now - dt.timedelta(hours=rules.order_delay_hours)
    order_ids = (
        orders_paid()
        .filter(
            user__isnull=False,
            date_placed__lte=latest,
            date_placed__gt=latest - SURVEY_SWEEP_WINDOW,
            crm_survey__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    sent = 0
    for order_id in order_ids:
        invitation = survey_invitation_for_order(order_id=order_id, now=now)
        if invitation is not None and survey_send(invitation_id=invitation.pk):
            sent += 1
    return sent


def survey_send(*, invitation_id: int) -> bool:
    """Email the survey link once (returns whether it sent now)."""
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=invitation_id)
        )
        if invitation.sent_at is not None or not invitation.customer.email:
            return False
        context = {
            "invitation": invitation,
            "survey_url": site_url(
                reverse("crm-support:survey", args=[survey_token(invitation_id=invitation.pk)])
            ),
        }
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        send_mail(
            render_to_string("crm/emails/survey_subject.txt", context).strip(),
            render_to_string("crm/emails/survey_body.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [invitation.customer.email],
        )
    return True


@transaction.atomic
def survey_answer(*, invitation_id: int, score: int | None, comment: str = "") -> SurveyInvitation:
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation_id)
    if invitation.answered_at is not None:
        raise ValidationError(_("You already answered this survey. Thank you!"), code="answered")
    if score is None or not 0 <= int(score) <= 10:
        raise ValidationError(_("Choose a score from 0 to 10."), code="score_invalid")
    invitation.score = int(score)
    invitation.comment = (comment or "").strip()
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["score", "comment", "answered_at"])
    return invitation


# =========================================================================== lists


@transaction.atomic
def list_entry_add(
    *,
    customer_id: int,
    kind: str,
    reason: str,
    created_by,
    expires_at: dt.datetime | None = None,
) -> ListEntry:
    reason = (reason or "").strip()
    if kind not in ListEntry.Kind.values:
        raise ValidationError(_("Choose white, grey or black list."), code="kind_invalid")
    if not reason:
        raise ValidationError(_("Say why the customer is on this list."), code="reason_missing")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The expiry must be in the future."), code="expiry_past")
    return ListEntry.objects.create(
        customer_id=customer_id,
        kind=kind,
        reason=reason,
        expires_at=expires_at,
        created_by=created_by,
    )


# =========================================================================== privacy


def privacy_log(*, action: str, actor, subject_user_id: int | None, detail: dict) -> PrivacyLog:
    return PrivacyLog.objects.create(
        action=action, actor=actor, subject_user_id=subject_user_id, detail=detail
    )


def personal_data_export_authorize(*, actor, what: str, subject_user_id: int | None = None):
    """Check the manager permission and log the export before any data leaves."""
    _require(
        actor, "crm.export_personal_data", _("Only marketing managers may export personal data.")
    )
    return privacy_log(
        action=PrivacyLog.Action.EXPORT,
        actor=actor,
        subject_user_id=subject_user_id,
        detail={"what": what},
    )


# =========================================================================== merge


@dataclass
class MergeResult:
    kept_user_id: int
    merged_user_id: int
    moved: dict[str, int] = field(default_factory=dict)
    points_moved: int = 0
    wallet_moved: str = "0.00"
    left_behind: dict[str, int] = field(default_factory=dict)


# Relations a merge must not re-point: permissions belong to the account, not the person,
# and the ledgers' authorship ("created_by") stays with who actually acted.
_MERGE_SKIP = {("auth", "user_groups"), ("auth", "user_user_permissions")}


def _usable_card(*, user_id: int) -> MemberCard | None:
    return MemberCard.objects.filter(user_id=user_id).current().first()


def _merge_points(*, keep: User, merge: User, performed_by, result: MergeResult) -> None:
    keep_card, merge_card = _usable_card(user_id=keep.pk), _usable_card(user_id=merge.pk)
    if merge_card is None or keep_card is None or keep_card.account_id == merge_card.account_id:
        # At most one usable card: re-pointing the cards (below) keeps the account whole.
        return
    points_release_due(account_id=merge_card.account_id)
    account = PointsAccount.objects.select_for_update().get(pk=merge_card.account_id)
    if account.pending_balance or account.points_owed:
        raise ValidationError(
            _(
                "Customer %(id)s still has %(pending)s pending points (or owes points after a "
                "refund); merge once they are released. Nothing was changed."
            )
            % {"id": merge.pk, "pending": account.pending_balance},
            code="points_pending",
        )
    reason = _("Customer merge: %(merged)s into %(kept)s") % {"merged": merge.pk, "kept": keep.pk}
    if account.balance:
        moved = account.balance
        points_adjust(account_id=account.pk, points=-moved, reason=reason, created_by=performed_by)
        points_adjust(
            account_id=keep_card.account_id, points=moved, reason=reason, created_by=performed_by
        )
        result.points_moved = moved
    # The member keeps one card in play; the merged card stays in their history.
    MemberCard.objects.filter(pk=merge_card.pk).update(status=MemberCard.Status.REPLACED)
    # An UPDATE sends no signal: the merged member's cached standing is forgotten here.
    member_standing_forget(user_ids=[merge_card.user_id])


def _merge_wallet(*, keep: User, merge: User, performed_by, result: MergeResult) -> None:
    merge_wallet = Wallet.objects.select_for_update().filter(user=merge).first()
    if merge_wallet is None:
        return
    keep_wallet = Wallet.objects.select_for_update().filter(user=keep).first()
    if keep_wallet is None:
        # The wallet is its own row so it can change hands by re-pointing one link.
        Wallet.objects.filter(pk=merge_wallet.pk).update(user=keep)
        result.wallet_moved = str(merge_wallet.balance)
        return
    if merge_wallet.balance:
        note = _("Customer merge: %(merged)s into %(kept)s") % {
            "merged": merge.pk,
            "kept": keep.pk,
        }
        amount = merge_wallet.balance
        wallet_services.wallet_adjust(
            wallet_id=merge_wallet.pk, amount=-amount, created_by=performed_by, note=note
        )
        wallet_services.wallet_adjust(
            wallet_id=keep_wallet.pk, amount=amount, created_by=performed_by, note=note
        )
        result.wallet_moved = str(amount)


def _merge_relations(*, keep: User, merge: User, result: MergeResult) -> None:
    """Re-point every row that belongs to the merged customer (orders, baskets, cards,
    tickets, addresses, ...), whatever app defined it, so no history is left behind."""
    for relation in User._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or (model._meta.app_label, model._meta.model_name) in _MERGE_SKIP:
            continue
        if model is Wallet:
            continue
        field_name = relation.field.name
        if field_name in ("created_by", "author", "actor", "assigned_to"):
            continue
        queryset = model._default_manager.filter(**{field_name: merge})
        if relation.one_to_one and model._default_manager.filter(**{field_name: keep}).exists():
            count = queryset.count()
            if count:
                result.left_behind[model._meta.label] = count
            continue
        try:
            with transaction.atomic():
                count = queryset.update(**{field_name: keep})
        except IntegrityError:
            # A unique row the kept customer already has (e.g. the same saved address).
            result.left_behind[model._meta.label] = queryset.count()
            continue
        if count:
            result.moved[f"{model._meta.label}.{field_name}"] = count


@transaction.atomic
def customers_merge(*, keep_user_id: int, merge_user_id: int, performed_by) -> MergeResult:
    """Merge a duplicate customer into another, keeping every order, point and message.

    Points move through loyalty's ledger (an adjustment row on each side, never created or
    lost), wallet money likewise; the merged account is deactivated, not deleted, and the
    merge is written to the privacy log.
    """
    _require(performed_by, "crm.merge_customers", _("Only marketing managers may merge customers."))
    if keep_user_id == merge_user_id:
        raise ValidationError(_("Choose two different customers."), code="same_customer")
    users = {
        user.pk: user
        for user in User.objects.select_for_update().filter(pk__in=[keep_user_id, merge_user_id])
    }
    if len(users) != 2:
        raise ValidationError(_("One of the customers does not exist."), code="missing")
    keep, merge = users[keep_user_id], users[merge_user_id]
    if merge.is_staff or merge.is_superuser or keep.is_staff or keep.is_superuser:
        raise ValidationError(_("Staff accounts are never merged."), code="staff")
    if not merge.is_active:
        raise ValidationError(_("This customer was already merged away."), code="inactive")
    result = MergeResult(kept_user_id=keep.pk, merged_user_id=merge.pk)
    _merge_points(keep=keep, merge=merge, performed_by=performed_by, result=result)
    _merge_wallet(keep=keep, merge=merge, performed_by=performed_by, result=result)
    _merge_relations(keep=keep, merge=merge, result=result)
    keep_card = _usable_card(user_id=keep.pk)
    if keep_card is not None:
        tier_recompute_for_account(account_id=keep_card.account_id)
    merge.is_active = False
    merge.save(update_fields=["is_active"])
    contact_log_add(
        customer_id=keep.pk,
        kind=ContactLogEntry.Kind.NOTE,
        body=_("Merged customer %(id)s (%(email)s) into this profile.")
        % {"id": merge.pk, "email": merge.email or "-"},
        created_by=performed_by,
    )
    privacy_log(
        action=PrivacyLog.Action.MERGE,
        actor=performed_by,
        subject_user_id=keep.pk,
        detail={
            "kept": keep.pk,
            "merged": merge.pk,
            "merged_email": merge.email,
            "moved": result.moved,
            "points_moved": result.points_moved,
            "wallet_moved": result.wallet_moved,
            "left_behind": result.left_behind,
        },
    )
    return result
