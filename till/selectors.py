"""Read-side of the till: product lookup, receipts, shift reports, the rota."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from loyalty.economy import card_number_normalize
from loyalty.models import MemberCard, PointsTransaction
from loyalty.selectors import card_unusable_reason
from shop.apps.order.services import order_line_refundable_quantities, order_refundable_amount
from staff import roles
from till.models import RotaAssignment, RotaPost, Shift, TillSale
from wallet.models import Wallet

Product = get_model("catalogue", "Product")
ZERO = Decimal("0.00")
SEARCH_LIMIT = 20


# --------------------------------------------------------------------------- cards


def till_card_get(*, card_number: str) -> MemberCard | None:
    """The card a sale is for (None for a sale without card), refusing unusable cards."""
    number = card_number_normalize(number=card_number)
    if not number:
        return None
    card = (
        MemberCard.objects.select_related("member_type", "user", "account")
        .filter(number=number)
        .first()
    )
    if card is None:
        raise ValidationError(
            _("No member card has the number %(number)s.") % {"number": number},
            code="card_unknown",
        )
    if not card.is_usable():
        # Cashiers do not renew cards (a marketing right): the reason says where to go.
        raise ValidationError(
            _("Card %(number)s cannot be used. %(reason)s")
            % {"number": number, "reason": card_unusable_reason(card=card)},
            code=(
                "card_expired"
                if card.status_shown() == MemberCard.Status.EXPIRED
                else "card_not_active"
            ),
        )
    if card.user_id is None:
        # Member price, points and the wallet all belong to the customer account.
        raise ValidationError(
            _(
                "Card %(number)s is not linked to a customer account yet: the member can claim "
                "it at /member-card/. Sell without the card, or claim it first."
            )
            % {"number": number},
            code="card_unclaimed",
        )
    return card


# --------------------------------------------------------------------------- products


def till_products_find(*, query: str) -> list:
    """Products for what the cashier scanned or typed.

    A scanned barcode (the product's EAN-13 in Oscar's ``upc``) or a shelf SKU matches
    exactly and wins; otherwise the words are matched against the title.
    """
    query = (query or "").strip()
    if not query:
        return []
    products = Product.objects.filter(is_public=True).exclude(structure=Product.PARENT)
    exact = list(
        products.filter(Q(upc=query) | Q(stockrecords__partner_sku=query)).distinct()[:SEARCH_LIMIT]
    )
    if exact:
        return exact
    by_title = products
    for word in query.split():
        by_title = by_title.filter(title__icontains=word)
    return list(by_title.order_by("title")[:SEARCH_LIMIT])


# --------------------------------------------------------------------------- receipts


@dataclass(frozen=True)
class ReceiptRefund:
    till_refund: object
    # Points moved by the refund: earned points taken back (negative), spent ones given back.
    points: int

    @property
    def points_taken_back(self) -> int:
        return max(-self.points, 0)

    @property
    def points_given_back(self) -> int:
        return max(self.points, 0)


@dataclass(frozen=True)
class Receipt:
    sale: TillSale
    order: object
    lines: list
    discounts: list
    points_earned: int
    points_pending: bool
    points_balance: int | None
    points_pending_balance: int | None
    wallet_balance: Decimal | None
    refunds: list
    refundable: Decimal
    # {order line id: quantity that can still be refunded}
    line_refundable: dict


def till_receipt(*, sale_id: int) -> Receipt:
    sale = TillSale.objects.select_related(
        "order", "shift__register", "cashier", "card__account"
    ).get(pk=sale_id)
    order = sale.order
    earned = PointsTransaction.objects.filter(order=order, kind=PointsTransaction.Kind.EARN).first()
    account = sale.card.account if sale.card_id else None
    wallet = Wallet.objects.filter(user_id=order.user_id).first() if order.user_id else None
    till_refunds = list(
        sale.refunds.select_related("refund", "refunded_by", "shift__register").order_by(
            "created_at"
        )
    )
    points_by_refund = dict(
        PointsTransaction.objects.filter(refund_id__in=[row.refund_id for row in till_refunds])
        .values("refund_id")
        .annotate(points=Sum("points"))
        .values_list("refund_id", "points")
    )
    return Receipt(
        sale=sale,
        order=order,
        lines=list(order.lines.order_by("pk")),
        discounts=list(order.discounts.all()),
        points_earned=earned.points if earned else 0,
        points_pending=bool(earned and earned.is_pending),
        points_balance=account.balance if account else None,
        points_pending_balance=account.pending_balance if account else None,
        wallet_balance=wallet.balance if wallet else None,
        refunds=[
            ReceiptRefund(till_refund=row, points=points_by_refund.get(row.refund_id, 0))
            for row in till_refunds
        ],
        refundable=order_refundable_amount(order=order),
        line_refundable=order_line_refundable_quantities(order=order),
    )


# --------------------------------------------------------------------------- shifts


def shift_open_for_cashier(*, cashier) -> Shift | None:
    if not getattr(cashier, "is_authenticated", False):
        return None
    return (
        Shift.objects.select_related("register")
        .filter(cashier=cashier, closed_at__isnull=True)
        .first()
    )


def shifts_open():
    """Every open shift, till by till: the drawers a supervisor can pay a cash refund from."""
    return (
        Shift.objects.select_related("register", "cashier")
        .filter(closed_at__isnull=True)
        .order_by("register__name", "pk")
    )


def shift_cash_takings(*, shift: Shift) -> Decimal:
    """Cash kept from the shift's sales (tendered less change = the sale totals)."""
    return (
        shift.sales.filter(payment_method=TillSale.PaymentMethod.CASH).aggregate(
            total=Sum("total")
        )["total"]
        or ZERO
    )


def shift_cash_refunds(*, shift: Shift) -> Decimal:
    """Cash handed back to customers from this shift's drawer (till refunds)."""
    return shift.refunds.aggregate(total=Sum("cash_amount"))["total"] or ZERO


def shift_expected_cash(*, shift: Shift) -> Decimal:
    return shift.opening_float + shift_cash_takings(shift=shift) - shift_cash_refunds(shift=shift)


@dataclass(frozen=True)
class TakingsRow:
    method: str
    label: str
    sales: int
    amount: Decimal


@dataclass(frozen=True)
class ShiftReport:
    shift: Shift
    takings: list[TakingsRow]
    total_takings: Decimal
    sales_count: int
    opening_float: Decimal
    cash_takings: Decimal
    cash_refunds: Decimal
    expected_cash: Decimal
    counted_cash: Decimal | None
    difference: Decimal | None
    next_shift: Shift | None = None
    recent_sales: list = field(default_factory=list)
    refunds: list = field(default_factory=list)


def shift_report(*, shift_id: int) -> ShiftReport:
    """The handover report: takings by payment method, expected vs counted cash."""
    shift = Shift.objects.select_related("register", "cashier", "previous_shift").get(pk=shift_id)
    by_method = {
        row["payment_method"]: row
        for row in shift.sales.values("payment_method").annotate(
            sales=Count("pk"), amount=Sum("total")
        )
    }
    takings = [
        TakingsRow(
            method=method,
            label=label,
            sales=by_method.get(method, {}).get("sales", 0),
            amount=by_method.get(method, {}).get("amount") or ZERO,
        )
        for method, label in TillSale.PaymentMethod.choices
    ]
    cash = next(row.amount for row in takings if row.method == TillSale.PaymentMethod.CASH)
    cash_refunds = shift_cash_refunds(shift=shift)
    # A closed shift reports what was expected when it was counted; an open one, as of now.
    expected = (
        shift.expected_cash
        if shift.expected_cash is not None
        else shift.opening_float + cash - cash_refunds
    )
    return ShiftReport(
        shift=shift,
        takings=takings,
        total_takings=sum((row.amount for row in takings), ZERO),
        sales_count=sum(row.sales for row in takings),
        opening_float=shift.opening_float,
        cash_takings=cash,
        cash_refunds=cash_refunds,
        expected_cash=expected,
        counted_cash=shift.counted_cash,
        difference=None if shift.counted_cash is None else shift.counted_cash - expected,
        next_shift=Shift.objects.select_related("cashier").filter(previous_shift=shift).first(),
        recent_sales=list(shift.sales.select_related("order", "card").order_by("-created_at")[:50]),
        refunds=list(
            shift.refunds.select_related("refund", "sale__order", "refunded_by").order_by(
                "-created_at"
            )
        ),
    )


def shifts_visible_to(*, user):
    """Supervisors (``till.change_shift``) see every shift; a cashier sees their own.

    A cashier also sees the shift handed over to them: they confirmed its cash count.
    """
    shifts = Shift.objects.select_related("register", "cashier").order_by("-opened_at", "-pk")
    if user.has_perm("till.change_shift"):
        return shifts
    return shifts.filter(Q(cashier=user) | Q(next_shift__cashier=user))


def cashiers():
    """Who runs a till: active staff holding the cashier role of staff/roles.py.

    Operators hold every till right and the superuser every right, so they can step in and
    supervise, but the role table gives the drawer to cashiers: a handover goes to one of them.
    """
    return get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name=roles.ROLES_BY_KEY[roles.CASHIER].group
    )


def cashiers_available(*, exclude_user=None):
    """Who can take over a till: cashiers without an open shift."""
    users = (
        cashiers()
        .exclude(pk__in=Shift.objects.filter(closed_at__isnull=True).values("cashier_id"))
        .distinct()
        .order_by("username")
    )
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    return users


# --------------------------------------------------------------------------- rota


def week_monday(*, day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class RotaWeek:
    monday: dt.date
    days: list[dt.date]
    # One row per post: (post, [assignments of each day]).
    rows: list[tuple[RotaPost, list[list[RotaAssignment]]]]


def rota_week(*, monday: dt.date, staff=None) -> RotaWeek:
    """The week's rota as a grid of posts by days; ``staff`` narrows it to one person."""
    days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    assignments = RotaAssignment.objects.filter(day__gte=days[0], day__lte=days[-1]).select_related(
        "post", "staff"
    )
    if staff is not None:
        assignments = assignments.filter(staff=staff)
    grid: dict[int, list[list[RotaAssignment]]] = {}
    for assignment in assignments.order_by("day", "starts_at"):
        grid.setdefault(assignment.post_id, [[] for _ in days])[
            (assignment.day - monday).days
        ].append(assignment)
    rows = [(post, grid.get(post.pk, [[] for _ in days])) for post in RotaPost.objects.all()]
    return RotaWeek(monday=monday, days=days, rows=rows)
