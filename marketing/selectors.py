"""Marketing reads: segment members, previews, a customer's marketing profile, reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from oscar.core.loading import get_model

from core.money import money_round
from marketing import segmentation
from marketing.models import (
    Campaign,
    CampaignRecipient,
    CustomerValue,
    Segment,
    SegmentSizeSnapshot,
)
from marketing.rules import RuleError, rules_compile
from shop.apps.order.selectors import orders_paid

User = get_user_model()
VoucherApplication = get_model("voucher", "VoucherApplication")

PREVIEW_SIZE = 20


def segment_members_queryset(
    *, rules: list[dict], match: str, as_of: dt.date | None = None
) -> QuerySet:
    """Members matching ``rules`` (raises ``RuleError`` for a bad rule)."""
    ids = User.objects.filter(rules_compile(rules=rules, match=match, as_of=as_of)).values("pk")
    # Through a subquery: conditions over cards and order lines join many rows per member.
    return User.objects.filter(pk__in=ids, is_staff=False)


def segment_queryset(*, segment: Segment, as_of: dt.date | None = None) -> QuerySet:
    return segment_members_queryset(rules=segment.rules, match=segment.match, as_of=as_of)


def segment_user_ids(*, segment_id: int) -> list[int]:
    """Contract for other apps: the ids of the segment's members today, sorted."""
    segment = Segment.objects.get(pk=segment_id)
    return sorted(segment_queryset(segment=segment).values_list("pk", flat=True))


@dataclass(frozen=True)
class SegmentPreview:
    count: int
    members: list


def segment_preview(*, rules: list[dict], match: str, limit: int = PREVIEW_SIZE) -> SegmentPreview:
    members = segment_members_queryset(rules=rules, match=match)
    sample = list(members.select_related("marketing_value").order_by("pk")[:limit])
    return SegmentPreview(count=members.count(), members=sample)


def dormant_members() -> QuerySet[CustomerValue]:
    """The reactivation list: longest-silent valuable customers first."""
    return (
        CustomerValue.objects.filter(is_dormant=True)
        .select_related("user")
        .order_by("-clv_historical", "recency_days")
    )


def value_group_reason(*, value: CustomerValue) -> str:
    template = segmentation.VALUE_GROUP_REASONS[value.value_group]
    return template.format(r=value.recency_score, fm=value.frequency_score + value.monetary_score)


@dataclass
class CustomerMarketingProfile:
    value: CustomerValue | None
    value_reason: str
    segments: list[Segment] = field(default_factory=list)
    receipts: list[CampaignRecipient] = field(default_factory=list)
    unsubscribed: bool = False


def customer_marketing_profile(*, user) -> CustomerMarketingProfile:
    value = CustomerValue.objects.filter(user=user).first()
    segments = [
        segment
        for segment in Segment.objects.order_by("-is_builtin", "name")
        if _segment_contains(segment=segment, user_id=user.pk)
    ]
    receipts = list(
        CampaignRecipient.objects.filter(user=user)
        .select_related("campaign", "voucher")
        .order_by("-campaign__sent_at")
    )
    return CustomerMarketingProfile(
        value=value,
        value_reason=value_group_reason(value=value) if value else "",
        segments=segments,
        receipts=receipts,
        unsubscribed=bool(
            getattr(getattr(user, "marketing_consent", None), "email_opt_out", False)
        ),
    )


def _segment_contains(*, segment: Segment, user_id: int) -> bool:
    try:
        return segment_queryset(segment=segment).filter(pk=user_id).exists()
    except RuleError:
        return False


def segment_sizes_over_time(*, since: dt.date | None = None) -> dict:
    """{"days": [...], "series": [{"key", "label", "sizes": [...]}, ...]} for table and chart."""
    rows = SegmentSizeSnapshot.objects.all()
    if since:
        rows = rows.filter(day__gte=since)
    days = sorted({row.day for row in rows})
    series: dict[str, dict] = {}
    for row in rows.order_by("day", "key"):
        entry = series.setdefault(row.key, {"key": row.key, "label": row.label, "sizes": {}})
        entry["label"] = row.label
        entry["sizes"][row.day] = row.size
    return {
        "days": days,
        "series": [
            {**entry, "sizes": [entry["sizes"].get(day) for day in days]}
            for entry in series.values()
        ],
    }


@dataclass(frozen=True)
class CampaignResults:
    campaign: Campaign
    targeted: int
    control: int
    sent: int
    skipped: int
    opened: int
    clicked: int
    redeemed: int
    recipient_revenue: Decimal
    control_revenue: Decimal

    def _rate(self, part: int) -> Decimal:
        return (
            (Decimal(part) * 100 / self.sent).quantize(Decimal("0.1"))
            if self.sent
            else Decimal("0")
        )

    @property
    def open_rate(self) -> Decimal:
        return self._rate(self.opened)

    @property
    def click_rate(self) -> Decimal:
        return self._rate(self.clicked)

    @property
    def redeem_rate(self) -> Decimal:
        return self._rate(self.redeemed)

    @property
    def revenue_per_recipient(self) -> Decimal:
        return money_round(self.recipient_revenue / self.sent) if self.sent else Decimal("0")

    @property
    def revenue_per_control(self) -> Decimal:
        return money_round(self.control_revenue / self.control) if self.control else Decimal("0")

    @property
    def uplift_per_member(self) -> Decimal:
        """What a recipient spent more than a held-out member since the send: the effect."""
        return self.revenue_per_recipient - self.revenue_per_control


def _revenue_after(*, user_ids, since: dt.datetime | None) -> Decimal:
    if since is None:
        return Decimal("0.00")
    total = (
        orders_paid()
        .filter(user_id__in=user_ids, date_placed__gte=since)
        .aggregate(total=Sum("total_incl_tax"))["total"]
    )
    return money_round(total)


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    recipients = campaign.recipients.all()
    counts = recipients.aggregate(
        targeted=Count("pk"),
        control=Count("pk", filter=Q(is_control=True)),
        sent=Count("pk", filter=Q(status=CampaignRecipient.Status.SENT)),
        skipped=Count("pk", filter=Q(status=CampaignRecipient.Status.SKIPPED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
    sent_users = recipients.filter(status=CampaignRecipient.Status.SENT).values("user_id")
    vouchers = Q(voucher__in=recipients.filter(voucher__isnull=False).values("voucher_id"))
    if campaign.shared_voucher_id:
        vouchers |= Q(voucher_id=campaign.shared_voucher_id)
    redeemed = (
        VoucherApplication.objects.filter(vouchers, user_id__in=sent_users)
        .values("user_id")
        .distinct()
        .count()
        if campaign.voucher_mode != Campaign.VoucherMode.NONE
        else 0
    )
    return CampaignResults(
        campaign=campaign,
        redeemed=redeemed,
        recipient_revenue=_revenue_after(user_ids=sent_users, since=campaign.sent_at),
        control_revenue=_revenue_after(
            user_ids=recipients.filter(is_control=True).values("user_id"), since=campaign.sent_at
        ),
        **counts,
    )


def campaigns_results() -> list[CampaignResults]:
    return [
        campaign_results(campaign=campaign)
        for campaign in Campaign.objects.exclude(status=Campaign.Status.DRAFT)
        .exclude(status=Campaign.Status.SCHEDULED)
        .select_related("segment")
        .order_by("-sent_at")
    ]
