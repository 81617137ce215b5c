"""Demo marketing data: segmentation over the history, an example rule segment, a sent campaign.

``marketing_demo_install(as_of=...)`` runs after the loyalty demo (cards exist). Everything is
dated against ``as_of``, the demo's day (shop/demo/dates.py: today, the history moved to end
just before it), as the loyalty demo is:

1. the segmentation runs monthly over the last months before ``as_of`` (so "segment sizes
   over time" has a curve), the last run as of ``as_of`` itself;
2. the example rule segment of the issue: students, no purchase for more than 60 days, who
   bought drinks;
3. a win-back campaign to the lapsing members of that segment, "sent"
   ``CAMPAIGN_DAYS_BEFORE`` days before the history ends, with bonus points, one voucher per
   recipient and a 20 % control group. Its revenue results are real: what recipients and the
   control group bought afterwards in the history. The history predates the email, so opens
   and clicks are simulated through the tracking services: recipients who bought again
   "clicked", and every third other recipient "opened".

Demo members are not emailed: delivery runs with Django's dummy email backend. Idempotent: a
second run finds the segment and the campaign and adds nothing (the segmentation itself is
idempotent).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from oscar.core.loading import get_model

from marketing import services
from marketing.models import Campaign, Segment
from shop.db import planner_statistics_refresh

SEGMENT_NAME = "Lapsed student drink buyers"
CAMPAIGN_NAME = "Win back lapsed student drink buyers"
OFFER_NAME = "Come back: 10% off"
CAMPAIGN_DAYS_BEFORE = 150
MONTHLY_RUNS = 5

EXAMPLE_RULES = [
    {"field": "member_type", "operator": "eq", "value": "student"},
    {"field": "days_since_last_purchase", "operator": "gt", "value": "60"},
    {"field": "category_bought", "operator": "eq", "value": "drinks"},
]
CAMPAIGN_BODY = (
    "<p>Hello {name},</p><p>we miss you at the Campus Store! You have {points} points "
    "waiting, and we added a bonus. Picked for you:</p>{recommendations}"
    '<p>Use your code {voucher_code} for 10% off. <a href="/catalogue/">Browse the shop</a></p>'
)


def _voucher_offer():
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    Range = get_model("offer", "Range")
    Condition = get_model("offer", "Condition")
    Benefit = get_model("offer", "Benefit")
    offer = ConditionalOffer.objects.filter(name=OFFER_NAME).first()
    if offer is not None:
        return offer
    everything, _created = Range.objects.get_or_create(
        name="Everything (campaign vouchers)", defaults={"includes_all_products": True}
    )
    return ConditionalOffer.objects.create(
        name=OFFER_NAME,
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )


def _simulate_engagement(*, campaign: Campaign) -> None:
    Order = get_model("order", "Order")
    buyers = set(
        Order.objects.filter(
            user__campaign_receipts__campaign=campaign, date_placed__gte=campaign.sent_at
        ).values_list("user_id", flat=True)
    )
    for index, (recipient_id, user_id) in enumerate(
        campaign.recipients.filter(status="sent").order_by("pk").values_list("pk", "user_id")
    ):
        moment = campaign.sent_at + dt.timedelta(hours=2)
        if user_id in buyers:
            services.campaign_click_record(recipient_id=recipient_id, now=moment)
        elif index % 3 == 0:
            services.campaign_open_record(recipient_id=recipient_id, now=moment)


@transaction.atomic
def marketing_demo_install(*, as_of: dt.datetime | dt.date | None = None) -> dict:
    as_of_day = as_of.date() if isinstance(as_of, dt.datetime) else (as_of or timezone.localdate())
    admin = get_model("auth", "User").objects.filter(is_superuser=True).order_by("pk").first()
    send_day = as_of_day - dt.timedelta(days=CAMPAIGN_DAYS_BEFORE)
    runs = sorted(
        {as_of_day - dt.timedelta(days=30 * months) for months in range(MONTHLY_RUNS, 0, -1)}
        | {send_day}
    )
    for day in runs:
        services.segmentation_run(as_of=day)
        if day == send_day:
            # The segment query joins the scores just written; on PostgreSQL the planner must
            # know they exist (load_demo runs all of this in one transaction).
            planner_statistics_refresh()
            # The campaign goes out on the segmentation of its own day.
            _campaign_send(send_day=send_day, admin=admin)
    summary = services.segmentation_run(as_of=as_of_day)
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    return {
        "customers": summary.customers,
        "segment": Segment.objects.get(name=SEGMENT_NAME).pk,
        "campaign": campaign.pk,
        "recipients": campaign.recipients.count(),
    }


def _example_rules() -> list[dict]:
    """The issue's example rule; the category condition only when the catalogue has drinks
    (a demo loaded from a smaller CSV may not), so the rule is always valid."""
    Category = get_model("catalogue", "Category")
    category_slug = EXAMPLE_RULES[-1]["value"]
    if Category.objects.filter(slug=category_slug).exists():
        return EXAMPLE_RULES
    return EXAMPLE_RULES[:-1]


def _campaign_send(*, send_day: dt.date, admin) -> None:
    segment = Segment.objects.filter(name=SEGMENT_NAME).first() or services.segment_create(
        name=SEGMENT_NAME,
        rules=_example_rules(),
        description="Students who bought drinks but not for two months.",
        created_by=admin,
    )
    win_back = Segment.objects.filter(name=f"{SEGMENT_NAME} (lapsing)").first()
    if win_back is None:
        win_back = services.segment_create(
            name=f"{SEGMENT_NAME} (lapsing)",
            rules=[*segment.rules, {"field": "lifecycle", "operator": "eq", "value": "lapsing"}],
            created_by=admin,
        )
    campaign, created = Campaign.objects.get_or_create(
        name=CAMPAIGN_NAME,
        defaults={
            "segment": win_back,
            "subject": "{name}, we miss you: 100 bonus points and 10% off",
            "body": CAMPAIGN_BODY,
            "bonus_points": 100,
            "voucher_mode": Campaign.VoucherMode.UNIQUE,
            "voucher_offer": _voucher_offer(),
            "voucher_valid_days": 30,
            "control_percent": 20,
            "created_by": admin,
        },
    )
    if not created or campaign.status != Campaign.Status.DRAFT:
        return
    sent_at = services.day_start(send_day) + dt.timedelta(hours=10)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        services.campaign_send(campaign_id=campaign.pk, by=admin, now=sent_at)
        pending = list(campaign.recipients.filter(status="pending").values_list("pk", flat=True))
        services.campaign_deliver(campaign_id=campaign.pk, recipient_ids=pending, now=sent_at)
    campaign.refresh_from_db()
    _simulate_engagement(campaign=campaign)
