"""The checkout's writes to the basket and the address book, each one conditional write.

Two tabs of one member can press "place order" on the same basket, or come back from 3-D
Secure, at the same moment. Oscar's own steps read a row and save it back, which those
requests can interleave; these are single conditional writes instead. The order placement
mixin (``shop.apps.checkout.mixins``) and the placement service both call them.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.apps.basket.selectors import basket_version_forget

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")


class CheckoutBasketNotOpen(Exception):
    """The basket is being paid for, or became an order, in another tab: nothing was charged.

    ``order`` is the order the basket became, if it did.
    """

    def __init__(self, message: str, *, order=None):
        super().__init__(message)
        self.order = order


def checkout_basket_order(*, basket_id: int | None):
    """The order this basket became, or None."""
    if not basket_id:
        return None
    return Order._default_manager.filter(basket_id=basket_id).order_by("pk").first()


def checkout_basket_not_open(*, basket_id: int | None, user=None) -> CheckoutBasketNotOpen | None:
    """Why the basket cannot be paid for now (another tab is paying, or it was ordered), as
    the exception to raise; None if it can be. With ``user``, only that member's basket."""
    baskets = Basket._default_manager.filter(pk=basket_id)
    if user is not None:
        baskets = baskets.filter(owner=user)
    status = baskets.values_list("status", flat=True).first() if basket_id else None
    if status in (None, Basket.OPEN):
        return None
    order = checkout_basket_order(basket_id=basket_id)
    if order is not None:
        return CheckoutBasketNotOpen(
            _(
                "This basket was already ordered as order %(number)s, perhaps in another tab "
                "or window. Nothing more was charged."
            )
            % {"number": order.number},
            order=order,
        )
    return CheckoutBasketNotOpen(
        _(
            "This basket is being paid for in another tab or window. Nothing was charged "
            "here: wait for that payment to finish, then look at your orders."
        )
    )


def checkout_basket_freeze(*, basket) -> None:
    """Freeze the basket for payment, unless another tab froze it or ordered it first.

    One conditional UPDATE (open -> frozen) decides: of tabs that press "place order" on the
    same basket together, exactly one goes on to payment; the others are refused before
    anything is charged (``CheckoutBasketNotOpen``). Oscar's ``Basket.freeze`` saves the whole
    row from memory and would freeze, and later let thaw, a basket already ordered.
    """
    if Basket._default_manager.filter(pk=basket.pk, status=Basket.OPEN).update(
        status=Basket.FROZEN
    ):
        basket.status = Basket.FROZEN
        # An UPDATE sends no signal: the basket page cached for the open basket is forgotten here.
        basket_version_forget(basket_id=basket.pk)
        return
    raise checkout_basket_not_open(basket_id=basket.pk) or CheckoutBasketNotOpen(
        _("Your basket changed in another tab or window. Nothing was charged: please check it.")
    )


def checkout_basket_thaw(*, basket_id: int | None) -> bool:
    """Open a frozen basket again after its payment failed; True if it was thawed.

    Only a frozen basket: one that became an order stays submitted whatever a failed tab
    does, so its items never come back into the basket to be ordered twice.
    """
    if not basket_id:
        return False
    thawed = bool(
        Basket._default_manager.filter(pk=basket_id, status=Basket.FROZEN).update(
            status=Basket.OPEN
        )
    )
    if thawed:
        basket_version_forget(basket_id=basket_id)
    return thawed


def checkout_address_book_record(*, user, address) -> None:
    """Count an order's address in the member's address book, adding it the first time.

    Two orders to the same new address can be placed at the same moment (two tabs back from
    3-D Secure together). Both find no entry and insert; the unique (user, hash) makes the
    second wait for the first and fail, so it counts on the first's row instead (in a
    savepoint: the order being placed around it carries on).
    """
    counter = (
        "num_orders_as_shipping_address"
        if isinstance(address, ShippingAddress)
        else "num_orders_as_billing_address"
    )
    entries = UserAddress._default_manager.filter(user=user, hash=address.generate_hash())
    if entries.update(**{counter: F(counter) + 1}):
        return
    entry = UserAddress(user=user)
    address.populate_alternative_model(entry)
    setattr(entry, counter, 1)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        entries.update(**{counter: F(counter) + 1})
