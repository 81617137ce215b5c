"""Read-side queries for pre-orders (HackSoft style: selectors read, services write)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from loyalty.economy import card_number_normalize
from loyalty.models import MemberCard
from preorders.models import Preorder, PreorderSettings
from shop.request_memo import request_memo_read

PREORDER_PRODUCT_IDS_CACHE_KEY = "preorders:open-product-ids"
PREORDER_PRODUCT_IDS_CACHE_SECONDS = 300


def preorder_open_product_ids() -> frozenset[int]:
    """Ids of products taking pre-orders now (active and not yet released).

    The partner strategy, the product page and the basket's pre-order rule ask this for
    products they show, so it is one cache hit, read once per request (``shop.request_memo``);
    services that change settings or dates clear it (``shop.cache.cache_forget``).
    """
    return request_memo_read(
        key=PREORDER_PRODUCT_IDS_CACHE_KEY, load=_preorder_open_product_ids_load
    )


def _preorder_open_product_ids_load() -> frozenset[int]:
    ids = cache.get(PREORDER_PRODUCT_IDS_CACHE_KEY)
    if ids is None:
        ids = frozenset(
            PreorderSettings.objects.filter(
                is_active=True, release_date__gt=timezone.localdate()
            ).values_list("product_id", flat=True)
        )
        cache.set(PREORDER_PRODUCT_IDS_CACHE_KEY, ids, PREORDER_PRODUCT_IDS_CACHE_SECONDS)
    return ids


def preorder_settings_open_for_product(*, product) -> PreorderSettings | None:
    if product is None or product.pk not in preorder_open_product_ids():
        return None
    return (
        PreorderSettings.objects.filter(
            product_id=product.pk, is_active=True, release_date__gt=timezone.localdate()
        )
        .select_related("product")
        .first()
    )


@dataclass(frozen=True)
class PreorderTerms:
    """A product's open pre-order and the units still left under its cap."""

    settings: PreorderSettings
    remaining: int

    @property
    def show_remaining(self) -> bool:
        return 0 < self.remaining <= self.settings.few_left_threshold


def preorder_open_terms() -> dict[int, PreorderTerms]:
    """The terms of every product taking pre-orders now, by product id, in two queries.

    A page prices many products; reading all open pre-orders at once (a handful of rows: the
    products on pre-order now) costs the same two queries whichever of them the page lists,
    instead of two per pre-order product.
    """
    open_settings = list(
        PreorderSettings.objects.filter(
            is_active=True, release_date__gt=timezone.localdate()
        ).select_related("product")
    )
    if not open_settings:
        return {}
    held = dict(
        Preorder.objects.filter(
            settings_id__in=[settings.pk for settings in open_settings],
            status__in=Preorder.HOLDING,
        )
        .values("settings_id")
        .annotate(total=Sum("quantity"))
        .values_list("settings_id", "total")
    )
    return {
        settings.product_id: PreorderTerms(
            settings=settings, remaining=max(settings.cap - (held.get(settings.pk) or 0), 0)
        )
        for settings in open_settings
    }


def preorder_units_held(*, settings_id: int) -> int:
    return (
        Preorder.objects.filter(settings_id=settings_id, status__in=Preorder.HOLDING).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )


def preorder_units_remaining(*, settings: PreorderSettings) -> int:
    return max(settings.cap - preorder_units_held(settings_id=settings.pk), 0)


def preorder_for_line(*, line_id: int) -> Preorder | None:
    return Preorder.objects.filter(line_id=line_id).select_related("settings__product").first()


def preorders_for_order(*, order) -> QuerySet[Preorder]:
    return Preorder.objects.filter(line__order=order).select_related("settings__product", "line")


def preorder_product_released(*, settings: PreorderSettings) -> bool:
    """Released: its date has come and no placed pre-order still waits for the release (the
    daily run or "Release now" went through them). Until then the operator may release it at
    once or move the date; afterwards neither means anything."""
    if settings.release_date > timezone.localdate():
        return False
    return not Preorder.objects.filter(
        settings_id=settings.pk,
        line__isnull=False,
        status__in=[Preorder.Status.RESERVED, Preorder.Status.AWAITING_RELEASE],
    ).exists()


def preorders_for_settings(*, settings_id: int) -> QuerySet[Preorder]:
    return (
        Preorder.objects.filter(settings_id=settings_id, line__isnull=False)
        .select_related("user", "line__order")
        .order_by("created_at")
    )


def preorders_to_hand_over(*, user_ids) -> QuerySet[Preorder]:
    """Released store-collection pre-orders of these customers that are on the shelf (announced
    ready), not yet handed over."""
    return (
        Preorder.objects.filter(
            user_id__in=user_ids,
            collect_in_store=True,
            status=Preorder.Status.CHARGED,
            ready_notified_at__isnull=False,
        )
        .select_related("settings__product", "line__order", "user")
        .order_by("pickup_deadline")
    )


def preorder_user_ids_for_card_number(*, number: str) -> list[int]:

    normalized = card_number_normalize(number=number)
    return list(
        MemberCard.objects.filter(number=normalized, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )


@dataclass(frozen=True)
class PreorderReportRow:
    settings: PreorderSettings
    reserved: int
    charged: int
    failed: int
    cancelled: int
    revenue: Decimal
    remaining: int
    # Charged units not on the shelf yet (the goods have not arrived): not announced ready.
    waiting_for_stock: int = 0


def preorder_report() -> list[PreorderReportRow]:
    """Per pre-order product: units reserved (held, not charged), charged, failed, cancelled.

    Revenue is the money the store keeps: what released pre-orders (charged or handed over)
    were charged, plus the no-show fees kept from cancelled ones.
    """
    placed = Q(preorders__line__isnull=False)
    charged_statuses = [Preorder.Status.CHARGED, Preorder.Status.SHIPPED]
    rows = (
        PreorderSettings.objects.select_related("product")
        .annotate(
            reserved_units=Sum(
                "preorders__quantity",
                filter=placed
                & Q(
                    preorders__status__in=[
                        Preorder.Status.RESERVED,
                        Preorder.Status.AWAITING_RELEASE,
                    ]
                ),
            ),
            charged_units=Sum(
                "preorders__quantity", filter=placed & Q(preorders__status__in=charged_statuses)
            ),
            failed_units=Sum(
                "preorders__quantity",
                filter=placed & Q(preorders__status=Preorder.Status.PAYMENT_FAILED),
            ),
            cancelled_units=Sum(
                "preorders__quantity",
                filter=placed & Q(preorders__status=Preorder.Status.CANCELLED),
            ),
            charged_amount=Sum(
                "preorders__amount", filter=placed & Q(preorders__status__in=charged_statuses)
            ),
            fees_kept=Sum("preorders__fee_kept", filter=placed),
            waiting_units=Sum(
                "preorders__line__num_allocated",
                filter=placed & Q(preorders__status=Preorder.Status.CHARGED),
            ),
            preorder_count=Count("preorders"),
        )
        .order_by("release_date", "product__title")
    )
    return [
        PreorderReportRow(
            settings=row,
            reserved=row.reserved_units or 0,
            charged=row.charged_units or 0,
            failed=row.failed_units or 0,
            cancelled=row.cancelled_units or 0,
            revenue=(row.charged_amount or Decimal("0.00")) + (row.fees_kept or Decimal("0.00")),
            remaining=preorder_units_remaining(settings=row),
            waiting_for_stock=row.waiting_units or 0,
        )
        for row in rows
    ]
