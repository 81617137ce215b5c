"""Read-side queries of store operations: reorder inputs, supplier statements, finance reports.

Sales are the lines of Oscar orders in a paid status (``Paid``, ``Shipped``, ``Complete``),
whether they were placed online or at the till: both end in an Oscar order.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.money import money_round
from operations.models import (
    AcademicCalendarPeriod,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderSuggestion,
    StockMovement,
    Supplier,
    SupplierProduct,
)
from operations.reorder import CalendarPeriod, reorder_point_with_floor, stock_is_low
from shop.apps.order.constants import ORDER_STATUS_CANCELLED
from shop.apps.order.selectors import lines_paid, orders_paid, payment_method_label

StockRecord = get_model("partner", "StockRecord")
Line = get_model("order", "Line")
Source = get_model("payment", "Source")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
#: The permission that makes a staff user an operator (dashboard access + alert emails).
OPERATOR_PERMISSION = ("operations", "view_reordersuggestion")


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the store's time zone, for ``date_placed`` filters."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def paid_lines(*, start: date | None = None, end: date | None = None):
    lines = lines_paid()
    if start is not None and end is not None:
        since, until = _day_bounds(start, end)
        lines = lines.filter(order__date_placed__gte=since, order__date_placed__lt=until)
    return lines


def operator_emails() -> list[str]:
    """Active staff who may see the operations dashboard (superusers included)."""
    app_label, codename = OPERATOR_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    query = Q(is_superuser=True)
    if permission is not None:
        query |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return sorted(set(users.filter(query).values_list("email", flat=True)))


# --------------------------------------------------------------------------- reorder


@dataclass
class StockItem:
    stockrecord_id: int
    inventory_position: int
    supplier_product: SupplierProduct | None
    low_stock_threshold: int | None = None
    awaiting_release: bool = False


@dataclass
class ReorderInputs:
    stock: list[StockItem]
    daily_sales: dict[int, dict[date, int]]
    periods: list[CalendarPeriod]


def calendar_periods(*, start: date, end: date) -> list[CalendarPeriod]:
    rows = AcademicCalendarPeriod.objects.filter(starts_on__lte=end, ends_on__gte=start)
    return [CalendarPeriod(p.starts_on, p.ends_on, float(p.demand_factor)) for p in rows]


def sales_daily_by_stockrecord(
    *, start: date, end: date, stockrecord_ids: list[int] | None = None
) -> dict[int, dict[date, int]]:
    lines = paid_lines(start=start, end=end).filter(stockrecord__isnull=False)
    if stockrecord_ids is not None:
        lines = lines.filter(stockrecord_id__in=stockrecord_ids)
    rows = (
        lines.annotate(day=TruncDate("order__date_placed", tzinfo=timezone.get_current_timezone()))
        .values("stockrecord_id", "day")
        .annotate(units=Sum("quantity"))
    )
    sales: dict[int, dict[date, int]] = defaultdict(dict)
    for row in rows:
        sales[row["stockrecord_id"]][row["day"]] = row["units"]
    return sales


def on_order_by_stockrecord(*, stockrecord_ids: list[int] | None = None) -> dict[int, int]:
    lines = PurchaseOrderLine.objects.filter(purchase_order__status__in=PurchaseOrder.OPEN_STATUSES)
    if stockrecord_ids is not None:
        lines = lines.filter(stockrecord_id__in=stockrecord_ids)
    rows = lines.values("stockrecord_id").annotate(
        outstanding=Sum(F("quantity_ordered") - F("quantity_received"))
    )
    return {row["stockrecord_id"]: row["outstanding"] for row in rows}


def _tracked_stockrecords(*, stockrecord_ids: list[int] | None = None):
    records = StockRecord.objects.filter(
        product__product_class__track_stock=True
    ) | StockRecord.objects.filter(product__parent__product_class__track_stock=True)
    if stockrecord_ids is not None:
        records = records.filter(pk__in=stockrecord_ids)
    return records


def stockrecords_awaiting_release(*, stockrecord_ids: list[int]) -> set[int]:
    """Those of the records whose product (or its parent) is on pre-order, not yet released."""
    today = timezone.localdate()
    return set(
        StockRecord.objects.filter(pk__in=stockrecord_ids)
        .filter(
            Q(product__preorder_settings__release_date__gt=today)
            | Q(product__parent__preorder_settings__release_date__gt=today)
        )
        .values_list("pk", flat=True)
    )


def _inventory_position(record: dict, on_order: dict[int, int]) -> int:
    return (
        (record["num_in_stock"] or 0)
        - (record["num_allocated"] or 0)
        + on_order.get(record["pk"], 0)
    )


def stock_low_points(*, stockrecord_ids: list[int] | None = None) -> dict[int, float]:
    """The stock-tracked records at or below their reorder point now, with that point.

    The reorder point is the one the last reorder computation stored (it already includes
    the low-stock threshold as a floor); a record not computed yet has its threshold. The
    rule is ``operations.reorder.stock_is_low``, the one the suggestions use.
    """
    records = list(
        _tracked_stockrecords(stockrecord_ids=stockrecord_ids).values(
            "pk",
            "num_in_stock",
            "num_allocated",
            "low_stock_threshold",
            stored_point=F("reorder_suggestion__reorder_point"),
        )
    )
    on_order = on_order_by_stockrecord(stockrecord_ids=[r["pk"] for r in records])
    awaiting = stockrecords_awaiting_release(stockrecord_ids=[r["pk"] for r in records])
    low = {}
    for record in records:
        point = reorder_point_with_floor(
            reorder_point=float(record["stored_point"] or 0),
            low_stock_threshold=record["low_stock_threshold"],
        )
        if stock_is_low(
            inventory_position=_inventory_position(record, on_order),
            reorder_point=point,
            awaiting_release=record["pk"] in awaiting,
        ):
            low[record["pk"]] = point
    return low


def reorder_inputs(
    *, today: date, history_days: int, stockrecord_ids: list[int] | None = None
) -> ReorderInputs:
    records = list(
        _tracked_stockrecords(stockrecord_ids=stockrecord_ids).values(
            "pk", "num_in_stock", "num_allocated", "low_stock_threshold"
        )
    )
    ids = [r["pk"] for r in records]
    on_order = on_order_by_stockrecord(stockrecord_ids=ids)
    awaiting = stockrecords_awaiting_release(stockrecord_ids=ids)
    preferred = {
        sp.stockrecord_id: sp
        for sp in SupplierProduct.objects.filter(
            stockrecord_id__in=ids, is_preferred=True
        ).select_related("supplier")
    }
    stock = [
        StockItem(
            stockrecord_id=r["pk"],
            inventory_position=_inventory_position(r, on_order),
            supplier_product=preferred.get(r["pk"]),
            low_stock_threshold=r["low_stock_threshold"],
            awaiting_release=r["pk"] in awaiting,
        )
        for r in records
    ]
    history_start = today - timedelta(days=history_days)
    # Enough calendar ahead for the longest lead time + review period anyone could enter.
    horizon = today + timedelta(days=400)
    return ReorderInputs(
        stock=stock,
        daily_sales=sales_daily_by_stockrecord(
            start=history_start, end=today - timedelta(days=1), stockrecord_ids=ids
        ),
        periods=calendar_periods(start=history_start, end=horizon),
    )


@dataclass
class SupplierSuggestions:
    supplier: Supplier | None
    suggestions: list[ReorderSuggestion]

    @property
    def total_cost(self) -> Decimal:
        return sum(
            (
                s.supplier_product.unit_cost * s.suggested_quantity
                for s in self.suggestions
                if s.supplier_product
            ),
            ZERO,
        )


def reorder_suggestions_by_supplier() -> list[SupplierSuggestions]:
    """What to reorder now, grouped by preferred supplier (no supplier last)."""
    rows = (
        ReorderSuggestion.objects.filter(suggested_quantity__gt=0)
        .select_related("stockrecord__product", "supplier_product__supplier")
        .order_by("supplier_product__supplier__name", "stockrecord__product__title")
    )
    groups: dict[int | None, SupplierSuggestions] = {}
    for row in rows:
        supplier = row.supplier_product.supplier if row.supplier_product else None
        key = supplier.pk if supplier else None
        groups.setdefault(
            key, SupplierSuggestions(supplier=supplier, suggestions=[])
        ).suggestions.append(row)
    return sorted(
        groups.values(), key=lambda g: (g.supplier is None, g.supplier.name if g.supplier else "")
    )


def order_lines_returnable(*, line_ids: list[int]) -> dict[int, int]:
    """Units of each order line taken off the shelf and not put back yet (0 if none).

    Read from the stock ledger, not from the line's quantity: a line whose units never left
    the shelf through a ``sale`` movement (the shelf was short, or the product is not
    stock-tracked) has nothing to give back.
    """
    moved = dict(
        StockMovement.objects.filter(order_line_id__in=line_ids)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    return {line_id: max(-(moved.get(line_id) or 0), 0) for line_id in line_ids}


def stock_movements_for(*, stockrecord_id: int, limit: int = 200):
    return (
        StockMovement.objects.filter(stockrecord_id=stockrecord_id)
        .select_related("created_by", "order_line__order", "purchase_order_line__purchase_order")
        .order_by("-created_at", "-pk")[:limit]
    )


# --------------------------------------------------------------------------- supplier statements


@dataclass
class StatementItem:
    incurred_on: date
    due_on: date
    description: str
    quantity: int
    amount: Decimal


@dataclass
class SupplierStatement:
    supplier: Supplier
    as_of: date
    items: list[StatementItem] = field(default_factory=list)
    paid: Decimal = ZERO

    @property
    def incurred(self) -> Decimal:
        return sum((i.amount for i in self.items), ZERO)

    @property
    def due(self) -> Decimal:
        return sum((i.amount for i in self.items if i.due_on <= self.as_of), ZERO)

    @property
    def not_yet_due(self) -> Decimal:
        return self.incurred - self.due

    @property
    def owed_now(self) -> Decimal:
        """Due and not yet paid (negative when the store paid ahead)."""
        return self.due - self.paid


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def supplier_statement(*, supplier_id: int, as_of: date) -> SupplierStatement:
    """What the store owes a supplier on ``as_of`` under the supplier's settlement terms.

    * fixed terms: each receipt, at the purchase order's unit cost, falls due
      ``payment_days`` after the day it was received;
    * consignment: each unit sold (less units returned), at the supplier's unit cost;
    * proportional: the sales revenue of the supplier's products less the store's
      commission share.

    Sales-based items fall due ``payment_days`` after the end of the month of the sale
    (monthly settlement). Payments made up to ``as_of`` are netted in ``owed_now``.
    """
    supplier = Supplier.objects.get(pk=supplier_id)
    __, until = _day_bounds(as_of, as_of)
    statement = SupplierStatement(supplier=supplier, as_of=as_of)
    terms = Supplier.SettlementTerms
    if supplier.settlement_terms == terms.NET_DAYS:
        receipts = (
            StockMovement.objects.filter(
                reason=StockMovement.Reason.RECEIPT,
                purchase_order_line__purchase_order__supplier=supplier,
                created_at__lt=until,
            )
            .select_related("purchase_order_line__purchase_order", "stockrecord__product")
            .order_by("created_at", "pk")
        )
        for movement in receipts:
            received_on = _local_date(movement.created_at)
            statement.items.append(
                StatementItem(
                    incurred_on=received_on,
                    due_on=received_on + timedelta(days=supplier.payment_days),
                    description=f"{movement.purchase_order_line.purchase_order.number} · {movement.stockrecord.product.get_title()}",
                    quantity=movement.quantity,
                    amount=movement.purchase_order_line.unit_cost * movement.quantity,
                )
            )
    else:
        supplied = SupplierProduct.objects.filter(supplier=supplier, is_preferred=True)
        unit_costs = dict(supplied.values_list("stockrecord_id", "unit_cost"))
        share = (Decimal("100") - supplier.commission_percent) / Decimal("100")
        sales = (
            StockMovement.objects.filter(
                reason__in=[StockMovement.Reason.SALE, StockMovement.Reason.RETURN],
                stockrecord_id__in=list(unit_costs),
                created_at__lt=until,
            )
            .select_related("order_line__order", "stockrecord__product")
            .order_by("created_at", "pk")
        )
        for movement in sales:
            sold_on = _local_date(movement.created_at)
            units = -movement.quantity  # a sale is a negative movement; a return gives back
            line = movement.order_line
            if supplier.settlement_terms == terms.CONSIGNMENT:
                amount = unit_costs[movement.stockrecord_id] * units
            else:
                unit_revenue = line.line_price_incl_tax / line.quantity if line.quantity else ZERO
                amount = money_round(unit_revenue * units * share)
            statement.items.append(
                StatementItem(
                    incurred_on=sold_on,
                    due_on=sold_on + relativedelta(day=31) + timedelta(days=supplier.payment_days),
                    description=f"{line.order.number} · {movement.stockrecord.product.get_title()}",
                    quantity=units,
                    amount=amount,
                )
            )
    statement.paid = (
        supplier.payments.filter(paid_on__lte=as_of).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    return statement


# --------------------------------------------------------------------------- finance reports


def _first_category_name():
    """Subquery: the product's (or its parent's) first category, for grouping lines."""
    return Coalesce(
        Subquery(
            ProductCategory.objects.filter(product_id=OuterRef("product_id"))
            .order_by("pk")
            .values("category__name")[:1]
        ),
        Subquery(
            ProductCategory.objects.filter(product_id=OuterRef("product__parent_id"))
            .order_by("pk")
            .values("category__name")[:1]
        ),
        Value(_("Uncategorised")),
    )


def takings_daily(*, start: date, end: date) -> list[dict]:
    """Money taken per day and payment method (Oscar payment sources, less refunds).

    Every payment path (checkout, till, on account, pre-orders) and the demo's history write
    a source with the order; a paid order without one (data brought in from elsewhere) still
    counts, under "Not recorded" at its order total, so the day's total matches the orders.
    """
    since, until = _day_bounds(start, end)
    tz = timezone.get_current_timezone()
    sources = (
        Source.objects.filter(
            order__in=orders_paid(),
            order__date_placed__gte=since,
            order__date_placed__lt=until,
        )
        .annotate(day=TruncDate("order__date_placed", tzinfo=tz))
        .values("day", "source_type__name")
        .annotate(
            amount=Sum(F("amount_debited") - F("amount_refunded"), output_field=MONEY),
            orders=Count("order", distinct=True),
        )
    )
    rows = [
        {
            "day": r["day"],
            "method": payment_method_label(source_type=r["source_type__name"]),
            "amount": money_round(r["amount"]),
            "orders": r["orders"],
        }
        for r in sources
    ]
    unrecorded = (
        orders_paid()
        .filter(
            date_placed__gte=since,
            date_placed__lt=until,
            sources__isnull=True,
        )
        .annotate(day=TruncDate("date_placed", tzinfo=tz))
        .values("day")
        .annotate(amount=Sum("total_incl_tax"), orders=Count("pk"))
    )
    rows += [
        {
            "day": r["day"],
            "method": _("Not recorded"),
            "amount": money_round(r["amount"]),
            "orders": r["orders"],
        }
        for r in unrecorded
    ]
    return sorted(rows, key=lambda r: (r["day"], str(r["method"])))


def margin_by_category(*, start: date, end: date) -> list[dict]:
    """Revenue (excl. tax, after discounts), cost and gross margin per category.

    Cost is units × the stock record's current ``cost_price``; units of products with no
    cost price are counted in ``units_without_cost`` and left out of cost and margin, so
    a missing cost never shows as a 100 % margin.
    """
    line_cost = ExpressionWrapper(F("quantity") * F("stockrecord__cost_price"), output_field=MONEY)
    rows = (
        paid_lines(start=start, end=end)
        .annotate(category=_first_category_name())
        .values("category")
        .annotate(
            units=Sum("quantity"),
            revenue=Sum("line_price_excl_tax"),
            costed_revenue=Coalesce(
                Sum("line_price_excl_tax", filter=Q(stockrecord__cost_price__isnull=False)),
                Value(ZERO),
                output_field=MONEY,
            ),
            cost=Coalesce(Sum(line_cost), Value(ZERO), output_field=MONEY),
            units_without_cost=Coalesce(
                Sum("quantity", filter=Q(stockrecord__cost_price__isnull=True)),
                Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("category")
    )
    result = []
    for row in rows:
        revenue, costed_revenue, cost = (
            money_round(row["revenue"]),
            money_round(row["costed_revenue"]),
            money_round(row["cost"]),
        )
        margin = costed_revenue - cost
        percent = (
            (margin / costed_revenue * 100).quantize(Decimal("0.1")) if costed_revenue else None
        )
        result.append(
            {
                **row,
                "revenue": revenue,
                "costed_revenue": costed_revenue,
                "cost": cost,
                "margin": margin,
                "margin_percent": percent,
            }
        )
    return result


def stock_value_by_category() -> list[dict]:
    """Units on hand and their value at cost price, per category."""
    value = ExpressionWrapper(F("num_in_stock") * F("cost_price"), output_field=MONEY)
    rows = (
        StockRecord.objects.filter(num_in_stock__gt=0)
        .annotate(category=_first_category_name())
        .values("category")
        .annotate(
            records=Count("pk"),
            units=Sum("num_in_stock"),
            value=Coalesce(Sum(value), Value(ZERO), output_field=MONEY),
            units_without_cost=Coalesce(
                Sum("num_in_stock", filter=Q(cost_price__isnull=True)),
                Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("category")
    )
    return [{**row, "value": money_round(row["value"])} for row in rows]


def sellers_ranked(*, start: date, end: date, worst: bool = False, limit: int = 20) -> list[dict]:
    """Best sellers (most units) or worst sellers (fewest units, never-sold first).

    Worst sellers are ranked over every product the store stocks, so a product that did
    not sell at all in the period is at the top instead of missing.
    """
    units = Coalesce(
        Subquery(
            paid_lines(start=start, end=end)
            .filter(product_id=OuterRef("pk"))
            .values("product_id")
            .annotate(total=Sum("quantity"))
            .values("total")[:1]
        ),
        Value(0),
    )
    revenue = Coalesce(
        Subquery(
            paid_lines(start=start, end=end)
            .filter(product_id=OuterRef("pk"))
            .values("product_id")
            .annotate(total=Sum("line_price_incl_tax"))
            .values("total")[:1]
        ),
        Value(ZERO),
        output_field=MONEY,
    )
    products = (
        Product.objects.filter(stockrecords__isnull=False)
        .distinct()
        .annotate(units=units, revenue=revenue)
        .values("pk", "title", "upc", "units", "revenue")
    )
    if worst:
        products = products.order_by("units", "revenue", "title")
    else:
        products = products.filter(units__gt=0).order_by("-units", "-revenue", "title")
    return [{**row, "revenue": money_round(row["revenue"])} for row in products[:limit]]


def slow_movers(*, as_of: date, idle_days: int = 30, limit: int = 100) -> list[dict]:
    """Stock on the shelf that has not sold for ``idle_days`` (or ever), oldest sale first."""
    last_sold = Subquery(
        lines_paid()
        .filter(stockrecord_id=OuterRef("pk"))
        .order_by()
        .values("stockrecord_id")
        .annotate(last=Max("order__date_placed"))
        .values("last")[:1]
    )
    __, cutoff = _day_bounds(as_of - timedelta(days=idle_days), as_of - timedelta(days=idle_days))
    rows = (
        StockRecord.objects.filter(num_in_stock__gt=0)
        .annotate(last_sold=last_sold)
        .filter(Q(last_sold__isnull=True) | Q(last_sold__lt=cutoff))
        .values("pk", "product__title", "partner_sku", "num_in_stock", "cost_price", "last_sold")
        .order_by(F("last_sold").asc(nulls_first=True), "product__title")[:limit]
    )
    result = []
    for row in rows:
        last = _local_date(row["last_sold"]) if row["last_sold"] else None
        result.append(
            {
                **row,
                "last_sold": last,
                "idle_days": (as_of - last).days if last else None,
                "value": money_round((row["cost_price"] or ZERO) * row["num_in_stock"]),
            }
        )
    return result


def member_promotion_units_used(*, offer_id: int, user_id: int) -> int:
    """Units a member already bought with a discount from this offer (not cancelled).

    A line counts in full even if only some of its units were discounted: that only
    happens when the discount stopped at the member's limit, after which nothing is left
    anyway, so the remaining allowance is still right.
    """
    return (
        Line.objects.filter(
            order__user_id=user_id,
            discounts__order_discount__offer_id=offer_id,
        )
        .exclude(order__status=ORDER_STATUS_CANCELLED)
        .distinct()
        .aggregate(total=Sum("quantity"))["total"]
        or 0
    )
