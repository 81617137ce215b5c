"""Write-side services of the till (HackSoft style: services write, selectors read).

A till sale is an Oscar order like any online one: an Oscar ``Basket`` owned by the card
holder (so the "Member price" offer and every other site offer apply exactly as online),
``OrderCreator`` to write the order (channel "store"), a payment ``Source``, then
``order_mark_paid`` so points, tiers, recommendations and stock follow the one paid-order
path. Everything happens in one transaction: any refusal (unknown product, frozen card, short
wallet, short shelf, no open shift) raises ``ValidationError`` and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.shipping.methods import Free
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from core.money import money_round
from loyalty.models import MemberCard
from shop.apps.order.constants import PAYMENT_EVENT_PAID, SOURCE_TYPE_CASH, SOURCE_TYPE_WALLET
from shop.apps.order.services import (
    order_mark_paid,
    order_refund,
    order_refundable_amount,
)
from staff.selectors import staff_name
from till import selectors
from till.models import Register, RotaAssignment, RotaPost, Shift, TillRefund, TillSale
from wallet import services as wallet_services
from wallet.models import Wallet
from wallet.selectors import wallet_get_for_user

Applicator = get_class("offer.applicator", "Applicator")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
PaymentEventType = get_model("order", "PaymentEventType")
Product = get_model("catalogue", "Product")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
StockRecord = get_model("partner", "StockRecord")

# The money columns hold 10 digits, 2 after the point.
MONEY_LIMIT = Decimal("100000000")
MAX_LINE_QUANTITY = 999


class InStorePurchase(Free):
    """Oscar shipping method of a till sale: the goods leave the shop in the customer's bag."""

    # The demo history (shop.demo.constants) uses the same code and name.
    code = "in-store"
    name = "In-store purchase"


@dataclass(frozen=True)
class TillLineInput:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class TillBasket:
    """An Oscar basket priced for a till sale, and whose it is."""

    basket: object
    card: MemberCard | None
    customer: object | None
    shipping_method: object
    shipping_charge: object
    total: object  # oscar.core.prices.Price


# --------------------------------------------------------------------------- shifts


def _money_parse(amount: Decimal | None, *, field: str) -> Decimal:
    if amount is None:
        raise ValidationError(_("Enter the %(field)s.") % {"field": field}, code="amount_missing")
    try:
        amount = Decimal(amount)
        # NaN, Infinity and 1e999 are Decimals too, and anything at or above the columns'
        # 10 digits could not be stored: each is refused as not an amount of money.
        if not amount.is_finite() or abs(amount) >= MONEY_LIMIT:
            raise InvalidOperation
        amount = money_round(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            _("Enter the %(field)s as an amount of money.") % {"field": field},
            code="amount_invalid",
        ) from None
    if amount < 0:
        raise ValidationError(
            _("The %(field)s cannot be negative.") % {"field": field}, code="amount_negative"
        )
    return amount


@transaction.atomic
def shift_open(
    *, register_id: int, cashier, opening_float: Decimal, previous_shift_id: int | None = None
) -> Shift:
    """Open a shift at a till; refused while the till or the cashier has an open shift."""
    opening_float = _money_parse(opening_float, field=_("opening float"))
    register = Register.objects.select_for_update().filter(pk=register_id).first()
    if register is None or not register.is_active:
        raise ValidationError(_("This till is not in use."), code="register_inactive")
    open_here = Shift.objects.filter(register=register, closed_at__isnull=True).first()
    if open_here is not None:
        raise ValidationError(
            _("%(till)s already has an open shift (%(cashier)s): it must be closed first.")
            % {"till": register, "cashier": open_here.cashier},
            code="register_busy",
        )
    if Shift.objects.filter(cashier=cashier, closed_at__isnull=True).exists():
        raise ValidationError(
            _("You already have an open shift: close it before opening another."),
            code="cashier_busy",
        )
    try:
        # The savepoint keeps the caller's transaction usable if a concurrent opening wins.
        with transaction.atomic():
            return Shift.objects.create(
                register=register,
                cashier=cashier,
                opening_float=opening_float,
                opened_at=timezone.now(),
                previous_shift_id=previous_shift_id,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("%(till)s already has an open shift: it must be closed first.") % {"till": register},
            code="register_busy",
        ) from exc


@transaction.atomic
def shift_close(
    *,
    shift_id: int,
    closed_by,
    counted_cash: Decimal,
    note: str = "",
    next_cashier=None,
) -> Shift:
    """Close a shift with the cash count; optionally hand the drawer to the next cashier.

    The expected cash (float + cash takings, change already netted) is computed under the
    shift lock, so no sale can slip in between the count and the close. Handing over opens the
    next cashier's shift at the same till with the counted cash as its float, in the same
    transaction: the drawer is never without an owner, and never with two.
    """
    counted_cash = _money_parse(counted_cash, field=_("counted cash"))
    shift = (
        Shift.objects.select_for_update(of=("self",)).select_related("register").get(pk=shift_id)
    )
    if not shift.is_open:
        raise ValidationError(_("This shift is already closed."), code="shift_closed")
    if shift.cashier_id != closed_by.pk and not closed_by.has_perm("till.change_shift"):
        raise ValidationError(
            _("Only the shift's cashier or a supervisor can close it."), code="not_your_shift"
        )
    if next_cashier is not None and not selectors.cashiers().filter(pk=next_cashier.pk).exists():
        raise ValidationError(
            _("%(user)s may not use the till: hand the drawer to a cashier.")
            % {"user": staff_name(user=next_cashier)},
            code="next_cashier_not_allowed",
        )
    shift.expected_cash = selectors.shift_expected_cash(shift=shift)
    shift.counted_cash = counted_cash
    shift.closing_note = (note or "").strip()[:255]
    shift.closed_at = timezone.now()
    shift.save(update_fields=["expected_cash", "counted_cash", "closing_note", "closed_at"])
    if next_cashier is not None:
        shift_open(
            register_id=shift.register_id,
            cashier=next_cashier,
            opening_float=counted_cash,
            previous_shift_id=shift.pk,
        )
    return shift


def _shift_for_sale(*, shift_id: int | None, cashier) -> Shift:
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("register")
        .filter(pk=shift_id)
        .first()
        if shift_id
        else None
    )
    if shift is None or not shift.is_open or shift.cashier_id != cashier.pk:
        raise ValidationError(
            _("You have no open shift: open one at a till before ringing up sales."),
            code="no_open_shift",
        )
    return shift


# --------------------------------------------------------------------------- sales


def _lines_merge(*, lines: list[TillLineInput]) -> OrderedDict[int, int]:
    """Same product scanned twice = one line; quantities checked as the cashier typed them."""
    merged: OrderedDict[int, int] = OrderedDict()
    for line in lines:
        if not isinstance(line.quantity, int) or line.quantity < 1:
            raise ValidationError(_("Quantities must be whole numbers of at least 1."))
        merged[line.product_id] = merged.get(line.product_id, 0) + line.quantity
        if merged[line.product_id] > MAX_LINE_QUANTITY:
            raise ValidationError(
                _("At most %(n)s of one product per sale.") % {"n": MAX_LINE_QUANTITY}
            )
    if not merged:
        raise ValidationError(_("Scan at least one product."), code="sale_empty")
    return merged


def till_basket_build(
    *, card_number: str, lines: list[TillLineInput], lock_stock: bool = True
) -> TillBasket:
    """Build and price the Oscar basket of a till sale (writes rows: call inside a transaction).

    For a sale (``lock_stock``) the stock records are locked first, in a fixed order, so two
    tills selling the last unit queue here and the second one sees the first one's allocation.
    """
    card = selectors.till_card_get(card_number=card_number)
    customer = card.user if card is not None else None
    quantities = _lines_merge(lines=lines)
    products = Product.objects.in_bulk(list(quantities))
    missing = [pk for pk in quantities if pk not in products]
    if missing:
        raise ValidationError(_("This product is not in the catalogue."), code="product_unknown")
    if lock_stock:
        list(
            StockRecord.objects.select_for_update()
            .filter(product_id__in=list(quantities))
            .order_by("pk")
        )

    basket = Basket.objects.create(owner=customer)
    basket.strategy = Selector().strategy(user=customer)
    for product_id, quantity in quantities.items():
        product = products[product_id]
        info = basket.strategy.fetch_for_product(product)
        if info.stockrecord is None or not info.price.exists:
            raise ValidationError(
                _("%(product)s has no price: it cannot be sold.")
                % {"product": product.get_title()},
                code="product_unpriced",
            )
        permitted, reason = info.availability.is_purchase_permitted(quantity)
        if not permitted:
            in_stock = info.stockrecord.net_stock_level
            if not info.stockrecord.is_frozen and in_stock < quantity:
                reason = _("only %(n)s left in stock") % {"n": max(in_stock, 0)}
            raise ValidationError(
                _("%(product)s: %(reason)s.") % {"product": product.get_title(), "reason": reason},
                code="product_unavailable",
            )
        basket.add_product(product, quantity)
    Applicator().apply(basket, user=customer, request=None)
    shipping_method = InStorePurchase()
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    return TillBasket(
        basket=basket,
        card=card,
        customer=customer,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        total=total,
    )


def _source_add(*, order, name: str, amount: Decimal, reference: str) -> None:
    """The payment Source and "Paid" event, as Oscar's checkout records them."""
    source_type, _created = SourceType.objects.get_or_create(name=name)
    Source.objects.create(
        order=order,
        source_type=source_type,
        currency=order.currency,
        amount_allocated=amount,
        amount_debited=amount,
        reference=reference,
    )
    event_type, _created = PaymentEventType.objects.get_or_create(name=PAYMENT_EVENT_PAID)
    event = PaymentEvent.objects.create(
        order=order, event_type=event_type, amount=amount, reference=reference
    )
    PaymentEventQuantity.objects.bulk_create(
        [
            PaymentEventQuantity(event=event, line=line, quantity=line.quantity)
            for line in order.lines.all()
        ]
    )


@transaction.atomic
def till_sale_create(
    *,
    cashier,
    shift_id: int | None,
    card_number: str,
    lines: list[TillLineInput],
    payment_method: str,
    cash_tendered: Decimal | None = None,
) -> TillSale:
    """Ring up a sale: an Oscar order in the "store" channel, paid by wallet or cash.

    Raises ValidationError with a message for the cashier and writes nothing when refused.
    """
    shift = _shift_for_sale(shift_id=shift_id, cashier=cashier)
    if payment_method not in TillSale.PaymentMethod.values:
        raise ValidationError(_("Choose how the customer pays."), code="payment_method_unknown")
    if payment_method == TillSale.PaymentMethod.WALLET and not (card_number or "").strip():
        raise ValidationError(
            _("Paying by campus-card wallet needs the member's card."), code="wallet_needs_card"
        )
    priced = till_basket_build(card_number=card_number, lines=lines)
    total = priced.total.incl_tax

    wallet = None
    tendered = change = None
    if payment_method == TillSale.PaymentMethod.WALLET:
        # Locked before the order rows, so concurrent sales on one wallet queue here.
        wallet = Wallet.objects.select_for_update().filter(user=priced.customer).first()
        if wallet is None or wallet.balance < total:
            raise ValidationError(
                _("The campus-card balance (%(balance)s) does not cover %(total)s.")
                % {
                    "balance": currency(wallet.balance if wallet else Decimal("0.00")),
                    "total": currency(total),
                },
                code="wallet_balance_insufficient",
            )
    else:
        if cash_tendered is None:
            raise ValidationError(
                _("Enter the cash the customer handed over."), code="cash_missing"
            )
        tendered = money_round(cash_tendered)
        if tendered < total:
            raise ValidationError(
                _("%(tendered)s tendered does not cover the total of %(total)s.")
                % {"tendered": currency(tendered), "total": currency(total)},
                code="cash_short",
            )
        change = tendered - total

    order = OrderCreator().place_order(
        basket=priced.basket,
        total=priced.total,
        shipping_method=priced.shipping_method,
        shipping_charge=priced.shipping_charge,
        user=priced.customer,
        order_number=OrderNumberGenerator().order_number(priced.basket),
        channel=Order.Channel.STORE,
    )
    if wallet is not None:
        _source_add(
            order=order, name=SOURCE_TYPE_WALLET, amount=total, reference=f"wallet:{wallet.pk}"
        )
        if total > 0:
            wallet_services.wallet_pay_order(
                wallet_id=wallet.pk, amount=total, order_id=order.pk, created_by=cashier
            )
    else:
        _source_add(order=order, name=SOURCE_TYPE_CASH, amount=total, reference=f"shift:{shift.pk}")
    priced.basket.submit()
    sale = TillSale.objects.create(
        order=order,
        shift=shift,
        cashier=cashier,
        card=priced.card,
        payment_method=payment_method,
        total=total,
        cash_tendered=tendered,
        change_given=change,
    )
    order_mark_paid(order_id=order.pk)
    order.refresh_from_db()
    return sale


# --------------------------------------------------------------------------- quotes


@dataclass(frozen=True)
class QuoteLine:
    product_id: int
    title: str
    upc: str
    quantity: int
    unit_price: Decimal
    line_price: Decimal
    line_price_after_discounts: Decimal


@dataclass(frozen=True)
class SaleQuote:
    lines: list[QuoteLine]
    discounts: list[tuple[str, Decimal]]
    total_before_discounts: Decimal
    total: Decimal
    card: object | None
    customer: object | None
    wallet_balance: Decimal | None


def till_sale_quote(*, card_number: str, lines: list[TillLineInput]) -> SaleQuote:
    """What the sale would cost: a dry run of the sale's pricing, which leaves nothing behind.

    The quote is priced by ``till_basket_build``, the very code that rings the sale up, so the
    two can never disagree about an offer. Oscar prices only a saved basket's lines, so the
    basket is built inside a savepoint that is always rolled back; the stock rows are not
    locked, since nothing is sold. Raises ValidationError for the same bad input as the sale.
    """
    with transaction.atomic():
        priced = till_basket_build(card_number=card_number, lines=lines, lock_stock=False)
        basket = priced.basket
        wallet = wallet_get_for_user(user=priced.customer)
        quote = SaleQuote(
            lines=[
                QuoteLine(
                    product_id=line.product_id,
                    title=line.product.get_title(),
                    upc=line.product.upc or "",
                    quantity=line.quantity,
                    unit_price=line.unit_price_incl_tax,
                    line_price=line.line_price_incl_tax,
                    line_price_after_discounts=line.line_price_incl_tax_incl_discounts,
                )
                for line in basket.all_lines()
            ],
            discounts=[(d["name"], d["discount"]) for d in basket.offer_discounts],
            total_before_discounts=basket.total_incl_tax_excl_discounts,
            total=priced.total.incl_tax,
            card=priced.card,
            customer=priced.customer,
            wallet_balance=wallet.balance if wallet else None,
        )
        transaction.set_rollback(True)
    return quote


def till_quote_or_errors(
    *, card_number: str, lines: list[TillLineInput]
) -> tuple[SaleQuote | None, MemberCard | None, list[str]]:
    """The quote (None without lines), the card, or the cashier's messages when refused."""
    try:
        card = selectors.till_card_get(card_number=card_number)
        if not lines:
            return None, card, []
        return till_sale_quote(card_number=card_number, lines=lines), card, []
    except ValidationError as error:
        return None, None, list(error.messages)


# --------------------------------------------------------------------------- refunds


def _refund_drawer(*, sale: TillSale, refunded_by, drawer_shift_id: int | None = None) -> Shift:
    """The shift a till refund is given in; its drawer pays any cash back.

    A cashier refunds only sales of their own open shift, from that drawer. A supervisor
    (``till.change_shift``) may refund any till sale: from the open shift they name (the
    dashboard's order page asks which drawer pays), else from their own open shift's drawer
    if they have one, else from the sale's shift if it is still open, else (for a refund that
    pays no cash) it is recorded against the sale's shift.
    """
    shifts = Shift.objects.select_for_update(of=("self",))
    own = shifts.filter(cashier=refunded_by, closed_at__isnull=True).first()
    if refunded_by.has_perm("till.change_shift"):
        if drawer_shift_id:
            chosen = shifts.filter(pk=drawer_shift_id).select_related("register").first()
            if chosen is None or not chosen.is_open:
                raise ValidationError(
                    _("That till shift is closed: choose an open shift's drawer."),
                    code="refund_drawer_closed",
                )
            return chosen
        if own is not None:
            return own
        return shifts.get(pk=sale.shift_id)
    if own is None or own.pk != sale.shift_id:
        raise ValidationError(
            _(
                "Only sales of your open shift can be refunded at the till. Sale %(number)s "
                "was rung up in another shift: ask a supervisor."
            )
            % {"number": sale.order.number},
            code="refund_outside_shift",
        )
    return own


def till_refund_drawer_check(*, shift_id: int | None, cash_amount: Decimal) -> None:
    """Refuse a refund whose cash part no open drawer can pay.

    Runs for every refund with a cash part (the till's order_refund_requested receiver), so
    cash never leaves the store without a shift whose expected cash it lowers; a refund made
    without naming a drawer is refused and pointed at the till or the order page, which do.
    """
    if cash_amount <= 0:
        return
    if shift_id is None:
        raise ValidationError(
            _(
                "Cash is paid back from a till drawer: refund this sale at the till, or on its "
                "order page choosing the drawer that pays."
            ),
            code="refund_no_drawer",
        )
    drawer = Shift.objects.filter(pk=shift_id).first()
    if drawer is None or not drawer.is_open:
        raise ValidationError(
            _("Cash is paid back from a till drawer: open a shift at a till first."),
            code="refund_no_drawer",
        )
    in_drawer = selectors.shift_expected_cash(shift=drawer)
    if in_drawer < cash_amount:
        raise ValidationError(
            _("The drawer holds %(cash)s: it cannot pay back %(amount)s in cash.")
            % {"cash": currency(in_drawer), "amount": currency(cash_amount)},
            code="refund_drawer_short",
        )


@transaction.atomic
def till_sale_refund(
    *,
    sale_id: int,
    refunded_by,
    line_quantities: dict[int, int] | None = None,
    amount: Decimal | None = None,
    restock_quantities: dict[int, int] | None = None,
    drawer_shift_id: int | None = None,
    reason: str = "",
) -> TillRefund:
    """Refund a till sale, all of what is left, some of its lines or an amount.

    Every refund of a till sale comes here, from the till and from the dashboard's order
    page, so its cash always comes out of a named drawer. ``restock_quantities`` are the
    goods handed back that go back on the shelf (``order_refund`` puts them back).

    The money goes back the way it was paid through the order's one refund path
    (``order_refund``: the wallet part back to the wallet, points earned taken back and points
    spent given back, the customer emailed). Till sales are paid in cash or from the wallet,
    so no payment provider is called inside this transaction. The cash part comes out of the
    drawer of the shift the refund is given in, which lowers that shift's expected cash; a
    closed drawer or one that would go below zero refuses the refund
    (``till_refund_drawer_check``). Refused refunds change nothing.
    """
    sale = TillSale.objects.select_related("order", "shift").filter(pk=sale_id).first()
    if sale is None:
        raise ValidationError(_("This till sale does not exist."), code="sale_unknown")
    drawer = _refund_drawer(sale=sale, refunded_by=refunded_by, drawer_shift_id=drawer_shift_id)
    line_quantities = {int(k): int(v) for k, v in (line_quantities or {}).items() if int(v)}
    if not line_quantities and amount is None:
        amount = order_refundable_amount(order=sale.order)
        if amount <= 0:
            raise ValidationError(
                _("Sale %(number)s has already been refunded in full.")
                % {"number": sale.order.number},
                code="refund_nothing_left",
            )
    refund = order_refund(
        order_id=sale.order_id,
        amount=amount,
        line_quantities=line_quantities,
        restock_quantities=restock_quantities,
        reason=(reason or "").strip()[:255],
        refunded_by=refunded_by,
        cash_drawer_shift_id=drawer.pk,
    )
    return TillRefund.objects.create(
        refund=refund,
        sale=sale,
        shift=drawer,
        refunded_by=refunded_by,
        cash_amount=refund.cash_amount,
    )


# --------------------------------------------------------------------------- rota


@transaction.atomic
def rota_assignment_save(
    *,
    post_id: int,
    staff,
    day: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    note: str = "",
    assignment_id: int | None = None,
) -> RotaAssignment:
    """Create or change a rota slot; nobody is in two places at once."""
    assignment = (
        RotaAssignment.objects.select_for_update().get(pk=assignment_id)
        if assignment_id
        else RotaAssignment()
    )
    assignment.post = RotaPost.objects.get(pk=post_id)
    assignment.staff = staff
    assignment.day = day
    assignment.starts_at = starts_at
    assignment.ends_at = ends_at
    assignment.note = (note or "").strip()
    assignment.full_clean()
    clash = (
        RotaAssignment.objects.filter(
            staff=staff, day=day, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(pk=assignment.pk)
        .select_related("post")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(staff)s already works at %(post)s from %(start)s to %(end)s that day.")
            % {
                "staff": staff_name(user=staff),
                "post": clash.post,
                "start": clash.starts_at.strftime("%H:%M"),
                "end": clash.ends_at.strftime("%H:%M"),
            },
            code="rota_clash",
        )
    assignment.save()
    return assignment


@transaction.atomic
def rota_assignment_delete(*, assignment_id: int) -> None:
    RotaAssignment.objects.filter(pk=assignment_id).delete()


@transaction.atomic
def rota_week_copy(*, from_monday: dt.date, to_monday: dt.date) -> int:
    """Copy a week's rota to another week, skipping slots that would clash; returns the count."""
    copied = 0
    offset = to_monday - from_monday
    for slot in RotaAssignment.objects.filter(
        day__gte=from_monday, day__lt=from_monday + dt.timedelta(days=7)
    ):
        try:
            with transaction.atomic():
                rota_assignment_save(
                    post_id=slot.post_id,
                    staff=slot.staff,
                    day=slot.day + offset,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    note=slot.note,
                )
            copied += 1
        except ValidationError:
            continue
    return copied
