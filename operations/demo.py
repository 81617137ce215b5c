"""Demo data for store operations, called at the end of ``manage.py load_demo``.

``operations_demo_install()`` is idempotent: it fills in what is missing and leaves what
operators changed alone. It gives every stock record a cost price, creates four suppliers
with different lead times and settlement terms, maps products to them by aisle, enters an
academic calendar, puts one purchase order in each interesting state, counts the shelves to
what the recent sales need, and computes reorder suggestions so the dashboard pages show real
figures straight away.

Everything is as of ``today``: the demo loader moves the purchase history to end just before
it (shop/demo/dates.py), so the last weeks of sales are the demand "Recompute now" sees too.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from operations import services
from operations.models import (
    AcademicCalendarPeriod,
    PurchaseOrder,
    ReorderSuggestion,
    StockMovement,
    Supplier,
    SupplierProduct,
)

StockRecord = get_model("partner", "StockRecord")


@dataclass(frozen=True)
class DemoSupplier:
    code: str
    name: str
    sku_prefixes: tuple[str, ...]
    lead_time_days: int
    review_period_days: int
    terms: str
    payment_days: int
    rating: int
    pack_size: int
    commission_percent: Decimal = Decimal("0")


WHOLESALE = "north-grocery"
DEMO_SUPPLIERS = (
    DemoSupplier(
        "campus-fresh",
        "Campus Fresh Co.",
        ("DAI", "FRV", "MEA"),
        1,
        2,
        Supplier.SettlementTerms.NET_DAYS,
        7,
        4,
        6,
    ),
    DemoSupplier(
        "morning-bakery",
        "Morning Bakery",
        ("BAK",),
        1,
        1,
        Supplier.SettlementTerms.CONSIGNMENT,
        15,
        5,
        1,
    ),
    DemoSupplier(
        "huaxin-drinks",
        "Huaxin Beverages",
        ("DRI", "ALC"),
        3,
        7,
        Supplier.SettlementTerms.PROPORTIONAL,
        30,
        3,
        12,
        Decimal("18.00"),
    ),
    DemoSupplier(
        WHOLESALE,
        "North China Grocery Wholesale",
        (),
        4,
        7,
        Supplier.SettlementTerms.NET_DAYS,
        30,
        4,
        10,
    ),
)


def _stable_fraction(text: str) -> Decimal:
    digest = hashlib.sha256(text.encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big") % 10_000) / Decimal(10_000)


def _cost_prices_ensure() -> None:
    """Cost between 55 % and 80 % of the shelf price, stable per SKU."""
    for record in StockRecord.objects.filter(cost_price__isnull=True, price__isnull=False):
        share = Decimal("0.55") + Decimal("0.25") * _stable_fraction(f"cost:{record.partner_sku}")
        record.cost_price = (record.price * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        record.save(update_fields=["cost_price"])


def _suppliers_ensure() -> dict[str, Supplier]:
    suppliers = {}
    for spec in DEMO_SUPPLIERS:
        suppliers[spec.code], __ = Supplier.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "email": f"orders@{spec.code}.example",
                "lead_time_days": spec.lead_time_days,
                "review_period_days": spec.review_period_days,
                "settlement_terms": spec.terms,
                "payment_days": spec.payment_days,
                "rating": spec.rating,
                "commission_percent": spec.commission_percent,
            },
        )
    return suppliers


def _supplier_products_ensure(suppliers: dict[str, Supplier]) -> None:
    by_prefix = {prefix: spec for spec in DEMO_SUPPLIERS for prefix in spec.sku_prefixes}
    wholesale = next(spec for spec in DEMO_SUPPLIERS if spec.code == WHOLESALE)
    supplied = set(SupplierProduct.objects.values_list("stockrecord_id", flat=True))
    for record in StockRecord.objects.exclude(pk__in=supplied).filter(cost_price__isnull=False):
        spec = by_prefix.get(record.partner_sku[:3].upper(), wholesale)
        services.supplier_product_set(
            supplier_id=suppliers[spec.code].pk,
            stockrecord_id=record.pk,
            unit_cost=record.cost_price,
            pack_size=spec.pack_size,
            supplier_sku=f"{spec.code[:3].upper()}-{record.partner_sku}",
        )


def _calendar_ensure(*, around: date) -> None:
    """An academic year around ``around``: autumn term, enrolment, exams, winter holiday."""
    year = around.year if around.month >= 8 else around.year - 1
    periods = [
        (
            "Summer holiday",
            AcademicCalendarPeriod.Kind.HOLIDAY,
            date(year, 7, 10),
            date(year, 8, 31),
            "0.40",
        ),
        (
            "Enrolment week",
            AcademicCalendarPeriod.Kind.ENROLMENT,
            date(year, 9, 1),
            date(year, 9, 7),
            "2.20",
        ),
        (
            "Autumn term start",
            AcademicCalendarPeriod.Kind.TERM_START,
            date(year, 9, 8),
            date(year, 9, 21),
            "1.50",
        ),
        (
            "Autumn exams",
            AcademicCalendarPeriod.Kind.EXAMS,
            date(year + 1, 1, 5),
            date(year + 1, 1, 16),
            "1.30",
        ),
        (
            "Winter holiday",
            AcademicCalendarPeriod.Kind.HOLIDAY,
            date(year + 1, 1, 17),
            date(year + 1, 2, 22),
            "0.35",
        ),
        (
            "Spring enrolment",
            AcademicCalendarPeriod.Kind.ENROLMENT,
            date(year + 1, 2, 23),
            date(year + 1, 3, 1),
            "2.00",
        ),
        (
            "Spring exams",
            AcademicCalendarPeriod.Kind.EXAMS,
            date(year + 1, 6, 15),
            date(year + 1, 6, 30),
            "1.30",
        ),
    ]
    for name, kind, starts_on, ends_on, factor in periods:
        AcademicCalendarPeriod.objects.get_or_create(
            name=name,
            starts_on=starts_on,
            defaults={"kind": kind, "ends_on": ends_on, "demand_factor": Decimal(factor)},
        )


def _purchase_orders_ensure(suppliers: dict[str, Supplier]) -> None:
    """One received, one partly received and one sent purchase order, for the statements."""
    if PurchaseOrder.objects.exists():
        return
    for code, receive_share in ((WHOLESALE, 1), ("campus-fresh", 0.5), ("huaxin-drinks", 0)):
        supplier_products = list(
            SupplierProduct.objects.filter(supplier=suppliers[code]).order_by("pk")[:5]
        )
        if not supplier_products:
            continue
        order = PurchaseOrder.objects.create(supplier=suppliers[code], notes="Demo purchase order")
        for sp in supplier_products:
            order.lines.create(
                stockrecord_id=sp.stockrecord_id,
                supplier_sku=sp.supplier_sku,
                quantity_ordered=sp.pack_size * 2,
                unit_cost=sp.unit_cost,
            )
        services.purchase_order_send(purchase_order_id=order.pk)
        if receive_share:
            services.purchase_order_receive(
                purchase_order_id=order.pk,
                quantities={
                    line.pk: int(line.quantity_ordered * receive_share)
                    for line in order.lines.all()
                },
                note="Demo delivery",
            )


DEMO_COUNT_NOTE = "Demo: stock count before the new term"
# Shelves hold a week or two of recent sales (stable per SKU)...
DEMO_COVER_DAYS = (7, 14)
# ...except a few busy products, counted at half their reorder point, two of them sold out.
DEMO_LOW_PRODUCTS = 8
DEMO_SOLD_OUT_PRODUCTS = 2


def _shelf_counts(*, suggestions: list[tuple[int, str, Decimal, Decimal]]) -> dict[int, int]:
    """What the demo's stock take counts per stock record, from the stored suggestions.

    ``suggestions``: (stock record id, SKU, average daily demand, reorder point), busiest
    first, only records that sold lately. Every fourth of the busiest is short, so the
    reorder page has work without every best seller being out.
    """
    short_ids = [row[0] for row in suggestions[1::4][:DEMO_LOW_PRODUCTS]]
    low_days, high_days = DEMO_COVER_DAYS
    counts = {}
    for record_id, sku, demand, reorder_point in suggestions:
        if record_id in short_ids:
            sold_out = short_ids.index(record_id) < DEMO_SOLD_OUT_PRODUCTS
            counts[record_id] = 0 if sold_out else int(reorder_point / 2)
            continue
        cover_days = low_days + (high_days - low_days) * _stable_fraction(f"cover:{sku}")
        # Kept above the reorder point: only the chosen few need reordering.
        counts[record_id] = max(math.ceil(demand * cover_days), math.floor(reorder_point) + 1)
    return counts


def _shelves_count_ensure() -> None:
    """Count the shelves to the recent demand, once, as a stock take before term would.

    The opening levels are arbitrary (shop.demo.catalogue_map); after the count, shelves hold
    a week or two of sales and a few busy products are low or sold out. Done through count
    corrections, so the stock ledger explains every level. Products that did not sell lately
    keep their opening level (the slow movers).
    """
    if StockMovement.objects.filter(
        reason=StockMovement.Reason.COUNT_CORRECTION, note=DEMO_COUNT_NOTE
    ).exists():
        return
    suggestions = list(
        ReorderSuggestion.objects.filter(supplier_product__isnull=False, average_daily_demand__gt=0)
        .order_by("-average_daily_demand", "stockrecord_id")
        .values_list(
            "stockrecord_id", "stockrecord__partner_sku", "average_daily_demand", "reorder_point"
        )
    )
    for stockrecord_id, counted in _shelf_counts(suggestions=suggestions).items():
        services.stock_count_correct(
            stockrecord_id=stockrecord_id, counted_quantity=counted, note=DEMO_COUNT_NOTE
        )


@transaction.atomic
def operations_demo_install(*, today: date | None = None) -> dict:
    """Install the operations demo data as of ``today``; returns a few counts for load_demo."""
    as_of = today or timezone.localdate()
    _cost_prices_ensure()
    suppliers = _suppliers_ensure()
    _supplier_products_ensure(suppliers)
    _calendar_ensure(around=as_of)
    _purchase_orders_ensure(suppliers)
    services.reorder_suggestions_refresh(today=as_of)
    _shelves_count_ensure()
    need = services.reorder_suggestions_refresh(today=as_of)
    return {
        "suppliers": len(suppliers),
        "suggestions_as_of": as_of.isoformat(),
        "need_reorder": need,
    }
