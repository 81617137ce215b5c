"""Write-side services of store operations (HackSoft style: services write, selectors read).

Stock: ``stock_move`` is the only function that changes a stock record's ``num_in_stock``.
It locks the row, refuses to go below zero with a clear message, and writes the
``StockMovement`` with its reason in the same transaction. Sales, returns, receipts and
count corrections are thin wrappers that supply the reason and the link to their cause.
"""

import logging
import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from operations import reorder, selectors
from operations.models import (
    AcademicCalendarPeriod,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderSuggestion,
    StockMovement,
    Supplier,
    SupplierPayment,
    SupplierProduct,
)
from operations.offers import MemberLimitedPercentageBenefit

logger = logging.getLogger(__name__)

StockRecord = get_model("partner", "StockRecord")
StockAlert = get_model("partner", "StockAlert")
Line = get_model("order", "Line")
Order = get_model("order", "Order")


# --------------------------------------------------------------------------- stock ledger


@transaction.atomic
def stock_move(
    *,
    stockrecord_id: int,
    quantity: int,
    reason: str,
    note: str = "",
    user=None,
    order_line: Line | None = None,
    purchase_order_line: PurchaseOrderLine | None = None,
    release_allocation: bool = False,
) -> StockMovement:
    """Change a stock record's ``num_in_stock`` by ``quantity`` and record why.

    ``release_allocation`` also lowers ``num_allocated`` by the units removed: a sale
    consumes the allocation Oscar made when the order was placed (Oscar's two-stage stock
    model), so the units are not subtracted twice from what is available.
    """
    if quantity == 0:
        raise ValidationError(_("A stock movement must change the stock."))
    if reason not in StockMovement.Reason.values:
        raise ValidationError(_("Unknown stock movement reason: %(reason)s") % {"reason": reason})
    record = StockRecord.objects.select_for_update().get(pk=stockrecord_id)
    current = record.num_in_stock or 0
    new_level = current + quantity
    if new_level < 0:
        raise ValidationError(
            _("Only %(current)s of %(product)s in stock: cannot remove %(quantity)s.")
            % {"current": current, "product": record.product.get_title(), "quantity": -quantity}
        )
    record.num_in_stock = new_level
    update_fields = ["num_in_stock", "date_updated"]
    if release_allocation:
        record.num_allocated = max((record.num_allocated or 0) + quantity, 0)
        update_fields.append("num_allocated")
    # save() (not update()) so Oscar's low-stock alert receiver sees the new level.
    record.save(update_fields=update_fields)
    return StockMovement.objects.create(
        stockrecord=record,
        quantity=quantity,
        balance_after=new_level,
        reason=reason,
        note=note[:255],
        order_line=order_line,
        purchase_order_line=purchase_order_line,
        created_by=user,
    )


@transaction.atomic
def stock_consume_for_order(*, order_id: int) -> list[StockMovement]:
    """Take a paid order's units out of stock, one ``sale`` movement per line.

    Idempotent: only what is still allocated on each order line (Oscar's
    ``Line.num_allocated``) is consumed, and that drops to zero here, so a second call
    finds nothing. If the shelf holds fewer units than were sold (a miscount), what is
    there is consumed, the rest stays allocated and the movement note says so: the paid
    order must not fail, and the shortfall shows up in the reorder suggestions.
    """
    movements = []
    lines = (
        Line.objects.select_for_update(of=("self",))
        .filter(order_id=order_id, stockrecord__isnull=False, num_allocated__gt=0)
        .select_related("product__product_class", "product__parent__product_class")
        .order_by("pk")
    )
    for line in lines:
        if not line.product or not line.product.get_product_class().track_stock:
            continue
        record = StockRecord.objects.select_for_update().get(pk=line.stockrecord_id)
        wanted = line.num_allocated
        available = min(wanted, record.num_in_stock or 0)
        if available < wanted:
            logger.warning(
                "Order line %s sold %s of stock record %s but only %s on the shelf",
                line.pk,
                wanted,
                record.pk,
                available,
            )
        if available == 0:
            continue
        note = (
            ""
            if available == wanted
            else _("Short by %(n)s: count needed") % {"n": wanted - available}
        )
        movements.append(
            stock_move(
                stockrecord_id=record.pk,
                quantity=-available,
                reason=StockMovement.Reason.SALE,
                note=note,
                order_line=line,
                release_allocation=True,
            )
        )
        line.num_allocated = wanted - available
        line.save(update_fields=["num_allocated"])
    return movements


@transaction.atomic
def stock_release_for_order(*, order_id: int) -> int:
    """Give back the allocations of an order cancelled before payment (no stock moved).

    Returns how many units were released.
    """
    released = 0
    lines = Line.objects.select_for_update().filter(
        order_id=order_id, stockrecord__isnull=False, num_allocated__gt=0
    )
    for line in lines:
        record = StockRecord.objects.select_for_update().get(pk=line.stockrecord_id)
        record.num_allocated = max((record.num_allocated or 0) - line.num_allocated, 0)
        record.save(update_fields=["num_allocated", "date_updated"])
        released += line.num_allocated
        line.num_allocated = 0
        line.save(update_fields=["num_allocated"])
    return released


@transaction.atomic
def stock_return(*, order_line_id: int, quantity: int, note: str, user=None) -> StockMovement:
    """Put units a customer brought back on the shelf; never more than that line sold."""
    if quantity <= 0:
        raise ValidationError(_("Return at least one unit."))
    line = Line.objects.select_for_update().get(pk=order_line_id)
    sold_not_returned = selectors.order_lines_returnable(line_ids=[line.pk])[line.pk]
    if quantity > sold_not_returned:
        raise ValidationError(
            ngettext(
                "Only %(n)s unit of this order line was sold and not yet returned.",
                "Only %(n)s units of this order line were sold and not yet returned.",
                sold_not_returned,
            )
            % {"n": sold_not_returned}
        )
    return stock_move(
        stockrecord_id=line.stockrecord_id,
        quantity=quantity,
        reason=StockMovement.Reason.RETURN,
        note=note,
        order_line=line,
        user=user,
    )


def stock_return_check_for_refund(*, refund) -> None:
    """Refuse, before any money moves, a refund that would put back more than left the shelf.

    Counts the units other refunds of the order still in flight will put back, so two refunds
    of one line cannot both restock the same units.
    """
    wanted = {int(k): int(v) for k, v in (refund.restock_quantities or {}).items()}
    if not wanted:
        return
    in_flight: dict[int, int] = defaultdict(int)
    pending = (
        type(refund)
        .objects.filter(order_id=refund.order_id, status=type(refund).Status.PENDING)
        .exclude(pk=refund.pk)
    )
    for other in pending:
        for line_id, quantity in (other.restock_quantities or {}).items():
            in_flight[int(line_id)] += int(quantity)
    returnable = selectors.order_lines_returnable(line_ids=list(wanted))
    lines = Line.objects.in_bulk(list(wanted))
    for line_id, quantity in wanted.items():
        left = returnable[line_id] - in_flight[line_id]
        if quantity > left:
            raise ValidationError(
                ngettext(
                    "“%(title)s”: only %(n)s unit left the shelf and is not back yet, so %(q)s "
                    "cannot go back to stock.",
                    "“%(title)s”: only %(n)s units left the shelf and are not back yet, so "
                    "%(q)s cannot go back to stock.",
                    max(left, 0),
                )
                % {"title": lines[line_id].title, "n": max(left, 0), "q": quantity},
                code="restock_more_than_sold",
            )


@transaction.atomic
def stock_return_for_refund(*, refund) -> list[StockMovement]:
    """Put a recorded refund's returned goods back on the shelf, one ``return`` per line.

    Runs once per refund, inside the transaction that records it (the refund's status
    changes there only once). The units were checked when the refund was reserved; if a
    return in between took some of them, only what is left goes back: the money has already
    moved and the refund must be recorded.
    """
    wanted = {int(k): int(v) for k, v in (refund.restock_quantities or {}).items() if int(v)}
    returnable = selectors.order_lines_returnable(line_ids=list(wanted))
    movements = []
    for line_id in sorted(wanted):
        quantity = min(wanted[line_id], returnable[line_id])
        if quantity < wanted[line_id]:
            logger.warning(
                "Refund %s: line %s restocks %s of %s asked",
                refund.pk,
                line_id,
                quantity,
                wanted[line_id],
            )
        if quantity <= 0:
            continue
        movements.append(
            stock_return(
                order_line_id=line_id,
                quantity=quantity,
                note=_("Refund of order %(number)s: %(reason)s")
                % {"number": refund.order.number, "reason": refund.reason or "-"},
                user=refund.created_by,
            )
        )
    return movements


@transaction.atomic
def stock_count_correct(
    *, stockrecord_id: int, counted_quantity: int, note: str, user=None
) -> StockMovement | None:
    """Set stock to what was counted on the shelf. The reason is mandatory.

    Returns ``None`` when the count agrees with the system (nothing to record).
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            _("Say why the count differs (for example: damaged, expired, miscounted).")
        )
    if counted_quantity < 0:
        raise ValidationError(_("A counted quantity cannot be negative."))
    record = StockRecord.objects.select_for_update().get(pk=stockrecord_id)
    delta = counted_quantity - (record.num_in_stock or 0)
    if delta == 0:
        return None
    return stock_move(
        stockrecord_id=record.pk,
        quantity=delta,
        reason=StockMovement.Reason.COUNT_CORRECTION,
        note=note,
        user=user,
    )


@transaction.atomic
def stockrecord_freeze(*, stockrecord_id: int, reason: str, user=None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the product is frozen."))
    record = StockRecord.objects.select_for_update().get(pk=stockrecord_id)
    record.is_frozen = True
    record.frozen_reason = reason[:255]
    record.frozen_at = timezone.now()
    record.frozen_by = user
    record.save(
        update_fields=["is_frozen", "frozen_reason", "frozen_at", "frozen_by", "date_updated"]
    )


@transaction.atomic
def stockrecord_unfreeze(*, stockrecord_id: int) -> None:
    record = StockRecord.objects.select_for_update().get(pk=stockrecord_id)
    record.is_frozen = False
    record.frozen_reason = ""
    record.frozen_at = None
    record.frozen_by = None
    record.save(
        update_fields=["is_frozen", "frozen_reason", "frozen_at", "frozen_by", "date_updated"]
    )


# --------------------------------------------------------------------------- reorder


@transaction.atomic
def reorder_suggestions_refresh(
    *,
    today: date | None = None,
    stockrecord_ids: list[int] | None = None,
    history_days: int | None = None,
    service_level: float | None = None,
) -> int:
    """Recompute the stored suggestion of every stock-tracked record (or the given ones).

    The sales history length and the service level come from the optional settings
    ``OPERATIONS_REORDER_HISTORY_DAYS`` (default 56) and ``OPERATIONS_REORDER_SERVICE_LEVEL``
    (default 0.95), so the nightly task and the dashboard button compute the same thing.
    Idempotent: each record has one suggestion row, rewritten in place. Returns how many
    need a reorder now.
    """
    today = today or timezone.localdate()
    if history_days is None:
        history_days = getattr(
            settings, "OPERATIONS_REORDER_HISTORY_DAYS", reorder.DEFAULT_HISTORY_DAYS
        )
    if service_level is None:
        service_level = getattr(
            settings, "OPERATIONS_REORDER_SERVICE_LEVEL", reorder.DEFAULT_SERVICE_LEVEL
        )
    inputs = selectors.reorder_inputs(
        today=today, history_days=history_days, stockrecord_ids=stockrecord_ids
    )
    need = 0
    low: dict[int, float] = {}
    for item in inputs.stock:
        supplier_product = item.supplier_product
        lead = supplier_product.effective_lead_time_days if supplier_product else 0
        review = supplier_product.supplier.review_period_days if supplier_product else 7
        pack = supplier_product.pack_size if supplier_product else 1
        result = reorder.reorder_compute(
            daily_sales=inputs.daily_sales.get(item.stockrecord_id, {}),
            today=today,
            history_days=history_days,
            lead_time_days=lead,
            review_period_days=review,
            inventory_position=item.inventory_position,
            pack_size=pack,
            service_level=service_level,
            periods=inputs.periods,
            low_stock_threshold=item.low_stock_threshold,
            awaiting_release=item.awaiting_release,
        )
        need += result.needs_reorder
        if result.needs_reorder:
            low[item.stockrecord_id] = result.reorder_point
        existing = ReorderSuggestion.objects.filter(stockrecord_id=item.stockrecord_id).first()
        ReorderSuggestion.objects.update_or_create(
            stockrecord_id=item.stockrecord_id,
            defaults={
                "supplier_product": supplier_product,
                "computed_on": today,
                "average_daily_demand": reorder.to_decimal(result.average_daily_demand),
                "demand_std_dev": reorder.to_decimal(result.demand_std_dev),
                "calendar_factor": reorder.to_decimal(result.calendar_factor_cycle),
                "lead_time_days": lead,
                "review_period_days": review,
                "safety_stock": reorder.to_decimal(result.safety_stock, "0.01"),
                "reorder_point": reorder.to_decimal(result.reorder_point, "0.01"),
                "order_up_to": reorder.to_decimal(result.order_up_to, "0.01"),
                "inventory_position": result.inventory_position,
                "suggested_quantity": result.suggested_quantity,
                # A record alerted today and still short is not alerted twice today.
                "alerted_on": existing.alerted_on if existing else None,
            },
        )
    # The low-stock alerts follow the decisions just stored: the same rule, the same numbers.
    _stock_alerts_apply(
        stockrecord_ids=[item.stockrecord_id for item in inputs.stock]
        if stockrecord_ids is not None
        else None,
        low=low,
    )
    return need


@transaction.atomic
def stock_alerts_sync(*, stockrecord_ids: list[int] | None = None) -> tuple[int, int]:
    """Open Oscar's low-stock alert of every record at or below its reorder point; close the rest.

    The rule is the reorder suggestions' (``operations.reorder.stock_is_low`` against the
    stored reorder point), so an open alert always means "suggested for reorder". Runs on
    every stock record save (``operations.receivers``). Idempotent; returns (opened, closed).
    """
    return _stock_alerts_apply(
        stockrecord_ids=stockrecord_ids,
        low=selectors.stock_low_points(stockrecord_ids=stockrecord_ids),
    )


def _stock_alerts_apply(
    *, stockrecord_ids: list[int] | None, low: dict[int, float]
) -> tuple[int, int]:
    open_alerts = StockAlert.objects.filter(status=StockAlert.OPEN)
    if stockrecord_ids is not None:
        open_alerts = open_alerts.filter(stockrecord_id__in=stockrecord_ids)
    already_open = set(open_alerts.values_list("stockrecord_id", flat=True))
    StockAlert.objects.bulk_create(
        StockAlert(stockrecord_id=record_id, threshold=math.floor(low[record_id]))
        for record_id in sorted(low.keys() - already_open)
    )
    closed = open_alerts.exclude(stockrecord_id__in=list(low)).update(
        status=StockAlert.CLOSED, date_closed=timezone.now()
    )
    return len(low.keys() - already_open), closed


def reorder_alerts_send(*, today: date | None = None) -> int:
    """Email operators the records that need a reorder and were not yet alerted today.

    Idempotent per day: each suggestion remembers the day it was alerted. Returns how many
    records the email listed (0 sends nothing).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        pending = list(
            ReorderSuggestion.objects.select_for_update(of=("self",))
            .filter(suggested_quantity__gt=0)
            .exclude(alerted_on=today)
            .select_related("stockrecord__product", "supplier_product__supplier")
            .order_by("supplier_product__supplier__name", "stockrecord__product__title")
        )
        recipients = selectors.operator_emails()
        if not pending or not recipients:
            return 0
        ReorderSuggestion.objects.filter(pk__in=[s.pk for s in pending]).update(alerted_on=today)
        with translation.override(settings.LANGUAGE_CODE):
            subject = ngettext(
                "%(n)s product to reorder", "%(n)s products to reorder", len(pending)
            ) % {"n": len(pending)}
            body = render_to_string(
                "operations/email/reorder_alert.txt",
                {"suggestions": pending, "today": today, "shop_name": settings.OSCAR_SHOP_NAME},
            )
        # Sent after commit: a rolled-back run must not have told anyone anything.
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False
            )
        )
    return len(pending)


# --------------------------------------------------------------------------- purchase orders


@transaction.atomic
def purchase_orders_create_from_suggestions(
    *, user=None, stockrecord_ids: list[int] | None = None, today: date | None = None
) -> list[PurchaseOrder]:
    """Turn current suggestions into draft purchase orders, one per supplier.

    Refreshes the chosen suggestions first so the quantities are those of now; records
    without a preferred supplier are skipped (there is nobody to order from). A supplier's
    existing draft is extended rather than duplicated.
    """
    reorder_suggestions_refresh(today=today, stockrecord_ids=stockrecord_ids)
    suggestions = ReorderSuggestion.objects.filter(
        suggested_quantity__gt=0, supplier_product__isnull=False
    )
    if stockrecord_ids is not None:
        suggestions = suggestions.filter(stockrecord_id__in=stockrecord_ids)
    by_supplier: dict[int, list[ReorderSuggestion]] = defaultdict(list)
    for suggestion in suggestions.select_related("supplier_product__supplier"):
        by_supplier[suggestion.supplier_product.supplier_id].append(suggestion)
    if not by_supplier:
        raise ValidationError(_("Nothing needs reordering right now."))
    orders = []
    today = today or timezone.localdate()
    for supplier_id, items in by_supplier.items():
        supplier = items[0].supplier_product.supplier
        order = (
            PurchaseOrder.objects.select_for_update()
            .filter(supplier_id=supplier_id, status=PurchaseOrder.Status.DRAFT)
            .order_by("pk")
            .first()
        )
        if order is None:
            order = PurchaseOrder.objects.create(
                supplier=supplier,
                created_by=user,
                expected_on=today + timedelta(days=supplier.lead_time_days),
            )
        for suggestion in items:
            line, created = PurchaseOrderLine.objects.get_or_create(
                purchase_order=order,
                stockrecord_id=suggestion.stockrecord_id,
                defaults={
                    "quantity_ordered": suggestion.suggested_quantity,
                    "unit_cost": suggestion.supplier_product.unit_cost,
                    "supplier_sku": suggestion.supplier_product.supplier_sku,
                },
            )
            if not created:
                line.quantity_ordered += suggestion.suggested_quantity
                line.save(update_fields=["quantity_ordered"])
        orders.append(order)
    # What is now on order counts in the inventory position: the suggestions drop to zero.
    reorder_suggestions_refresh(
        today=today, stockrecord_ids=[s.stockrecord_id for s in suggestions]
    )
    return orders


@transaction.atomic
def purchase_order_update_draft(
    *, purchase_order_id: int, quantities: dict[int, int]
) -> PurchaseOrder:
    """Change a draft's line quantities; 0 removes the line."""
    order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order_id)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise ValidationError(_("Only a draft purchase order can be changed."))
    lines = {line.pk: line for line in order.lines.all()}
    unknown = set(quantities) - set(lines)
    if unknown:
        raise ValidationError(_("These lines are not on this purchase order."))
    if any(q < 0 for q in quantities.values()):
        raise ValidationError(_("Quantities cannot be negative."))
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if quantity == 0:
            line.delete()
        elif quantity != line.quantity_ordered:
            line.quantity_ordered = quantity
            line.save(update_fields=["quantity_ordered"])
    return order


@transaction.atomic
def purchase_order_send(*, purchase_order_id: int) -> PurchaseOrder:
    order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order_id)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise ValidationError(_("Only a draft purchase order can be sent."))
    if not order.lines.exists():
        raise ValidationError(_("Add at least one line before sending the purchase order."))
    order.status = PurchaseOrder.Status.SENT
    order.sent_at = timezone.now()
    order.save(update_fields=["status", "sent_at"])
    return order


@transaction.atomic
def purchase_order_cancel(*, purchase_order_id: int) -> PurchaseOrder:
    order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order_id)
    if order.status not in (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.SENT):
        raise ValidationError(
            _("Only a draft or sent purchase order with nothing received can be cancelled.")
        )
    order.status = PurchaseOrder.Status.CANCELLED
    order.save(update_fields=["status"])
    return order


@transaction.atomic
def purchase_order_receive(
    *, purchase_order_id: int, quantities: dict[int, int], user=None, note: str = ""
) -> list[StockMovement]:
    """Book goods that arrived against a sent purchase order (all of it or part).

    ``quantities`` maps line id → units received now. Every line is checked before
    anything moves, so a wrong quantity on one line changes nothing at all.
    """
    order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order_id)
    if not order.is_receivable:
        raise ValidationError(
            _("Purchase order %(number)s is %(status)s: only a sent order can be received.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    lines = {line.pk: line for line in order.lines.select_for_update()}
    errors = []
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            errors.append(_("Line %(id)s is not on this purchase order.") % {"id": line_id})
        elif quantity < 0:
            errors.append(
                _("%(product)s: a received quantity cannot be negative.")
                % {"product": line.stockrecord.product}
            )
        elif quantity > line.quantity_outstanding:
            errors.append(
                _("%(product)s: %(quantity)s received but only %(outstanding)s outstanding.")
                % {
                    "product": line.stockrecord.product,
                    "quantity": quantity,
                    "outstanding": line.quantity_outstanding,
                }
            )
    if errors:
        raise ValidationError(errors)
    if not any(quantities.values()):
        raise ValidationError(_("Enter the quantity received for at least one line."))

    movements = []
    for line_id, quantity in quantities.items():
        if quantity == 0:
            continue
        line = lines[line_id]
        movements.append(
            stock_move(
                stockrecord_id=line.stockrecord_id,
                quantity=quantity,
                reason=StockMovement.Reason.RECEIPT,
                note=note or order.number,
                purchase_order_line=line,
                user=user,
            )
        )
        line.quantity_received += quantity
        line.save(update_fields=["quantity_received"])
        # Stock is valued at the latest purchase cost ("last cost"): simple, and what the
        # operators see on the supplier's invoice.
        StockRecord.objects.filter(pk=line.stockrecord_id).update(cost_price=line.unit_cost)
    if all(line.quantity_outstanding == 0 for line in lines.values()):
        order.status = PurchaseOrder.Status.RECEIVED
        order.received_at = timezone.now()
        order.save(update_fields=["status", "received_at"])
    else:
        order.status = PurchaseOrder.Status.PARTLY_RECEIVED
        order.save(update_fields=["status"])
    return movements


@transaction.atomic
def supplier_payment_record(
    *, supplier_id: int, amount: Decimal, paid_on: date, reference: str = "", user=None
) -> SupplierPayment:
    if amount <= 0:
        raise ValidationError(_("A payment must be a positive amount."))
    supplier = Supplier.objects.get(pk=supplier_id)
    return SupplierPayment.objects.create(
        supplier=supplier, amount=amount, paid_on=paid_on, reference=reference, created_by=user
    )


@transaction.atomic
def supplier_product_set(
    *,
    supplier_id: int,
    stockrecord_id: int,
    unit_cost: Decimal,
    pack_size: int = 1,
    lead_time_days: int | None = None,
    supplier_sku: str = "",
    is_preferred: bool = True,
) -> SupplierProduct:
    """Create or update what a supplier sells us; a new preferred supplier replaces the old one."""
    if unit_cost < 0:
        raise ValidationError(_("A unit cost cannot be negative."))
    if pack_size < 1:
        raise ValidationError(_("A pack holds at least one unit."))
    if is_preferred:
        SupplierProduct.objects.filter(stockrecord_id=stockrecord_id, is_preferred=True).exclude(
            supplier_id=supplier_id
        ).update(is_preferred=False)
    supplier_product, _created = SupplierProduct.objects.update_or_create(
        supplier_id=supplier_id,
        stockrecord_id=stockrecord_id,
        defaults={
            "unit_cost": unit_cost,
            "pack_size": pack_size,
            "lead_time_days": lead_time_days,
            "supplier_sku": supplier_sku,
            "is_preferred": is_preferred,
        },
    )
    return supplier_product


@transaction.atomic
def calendar_period_save(*, period: AcademicCalendarPeriod) -> AcademicCalendarPeriod:
    period.full_clean()
    period.save()
    return period


# --------------------------------------------------------------------------- sales controls


@transaction.atomic
def member_promotion_create(
    *,
    name: str,
    range_id: int,
    percent: Decimal,
    per_member_quantity: int,
    starts_at,
    ends_at,
    description: str = "",
):
    """Create a site offer: ``percent`` off a range, at most ``per_member_quantity``
    discounted units per member, between ``starts_at`` and ``ends_at``.

    Built from Oscar's own pieces (a count condition, a custom benefit, a conditional
    offer with a time window), so it shows in Oscar's offer dashboard and reports.
    """
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    Condition = get_model("offer", "Condition")
    Benefit = get_model("offer", "Benefit")
    Range = get_model("offer", "Range")
    if not name.strip():
        raise ValidationError(_("Give the promotion a name."))
    if not Decimal("0") < percent <= Decimal("100"):
        raise ValidationError(_("The discount must be more than 0 and at most 100 percent."))
    if per_member_quantity < 1:
        raise ValidationError(_("Allow each member at least one discounted unit."))
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError(_("The promotion must end after it starts."))
    if ConditionalOffer.objects.filter(name=name).exists():
        raise ValidationError(_("An offer with this name already exists."))
    product_range = Range.objects.get(pk=range_id)
    condition = Condition.objects.create(range=product_range, type=Condition.COUNT, value=1)
    benefit = Benefit.objects.create(
        range=product_range,
        proxy_class=f"{MemberLimitedPercentageBenefit.__module__}.{MemberLimitedPercentageBenefit.__name__}",
        value=percent,
        max_affected_items=per_member_quantity,
    )
    return ConditionalOffer.objects.create(
        name=name,
        description=description,
        offer_type=ConditionalOffer.SITE,
        condition=condition,
        benefit=benefit,
        start_datetime=starts_at,
        end_datetime=ends_at,
        # One application per basket: the benefit itself caps the units per member.
        max_basket_applications=1,
    )
