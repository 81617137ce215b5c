"""The pre-order branch of Oscar's checkout, called from a few hook lines in shop/apps/checkout.

The basket rule (documented in docs/architecture.md § Pre-orders): **a basket holding a
pre-order item holds nothing else** — one pre-order product, any quantity up to what is left.
So a pre-order order has exactly one line, one expected date and one payment policy, and the
rest of the store (in-stock orders, wallet, on account) never meets a deferred payment. The
shopper is told at checkout and buys the other items in a second order.

Pre-orders are paid by card (Stripe); the campus-card wallet and department accounts cannot
be charged later, off-session, so they are refused with a message.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from oscar.core.loading import get_class

from preorders import selectors, services
from shop.apps.order.constants import PAYMENT_EVENT_PAID
from shop.apps.order.tasks import order_confirmation_email_send
from shop.apps.shipping.codes import PICK_UP_CODE

logger = logging.getLogger(__name__)

FailedPreCondition = get_class("checkout.exceptions", "FailedPreCondition")
UnableToTakePayment = get_class("payment.exceptions", "UnableToTakePayment")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")


def basket_preorder_line(*, basket):
    """(line, settings) of the basket's pre-order line, or None."""
    for line in basket.all_lines():
        settings = selectors.preorder_settings_open_for_product(product=line.product)
        if settings is not None:
            return line, settings
    return None


def preorder_basket_rule_check(*, basket) -> None:
    """Raise FailedPreCondition (back to the basket, with why) if the basket breaks the rule."""
    found = basket_preorder_line(basket=basket)
    if found is None:
        return
    line, _settings = found
    if len(basket.all_lines()) > 1:
        raise FailedPreCondition(
            url=reverse("basket:summary"),
            messages=[
                _(
                    "“%(title)s” is a pre-order: it must be ordered on its own. Please remove "
                    "the other items (you can buy them in a separate order) or remove the "
                    "pre-order."
                )
                % {"title": line.product.get_title()}
            ],
        )


def preorder_payment_handle(*, view, order_number, total, **kwargs) -> None:
    """``handle_payment`` for a pre-order basket: reserve the units, then secure the money."""
    if kwargs.get("credit_account_id") or kwargs.get("wallet_amount", 0) > 0:
        raise UnableToTakePayment(
            _("Pre-orders are paid by card only: please pay without the campus card or account.")
        )
    payment_form = kwargs.get("payment_form")
    payment_method_id = payment_form.cleaned_data.get("payment_method_id") if payment_form else ""
    if not payment_method_id:
        raise UnableToTakePayment(_("Please enter your card details."))
    line, settings = basket_preorder_line(basket=view.request.basket)
    picked_up = view.checkout_session.shipping_method_code(view.request.basket) == PICK_UP_CODE
    user = view.request.user
    email = view.checkout_session.get_guest_email() or getattr(user, "email", "") or ""
    try:
        preorder = services.preorder_reserve(
            settings_id=settings.pk,
            quantity=line.quantity,
            user=user,
            email=email,
            order_number=str(order_number),
            amount=total.incl_tax,
            currency=total.currency,
            collect_in_store=picked_up,
        )
        preorder = services.preorder_payment_secure(
            preorder_id=preorder.pk, payment_method_id=payment_method_id
        )
    except ValidationError as exc:
        raise UnableToTakePayment(exc.messages[0]) from exc
    view.preorder = preorder
    view.add_payment_source(services.preorder_payment_source_build(preorder=preorder))
    if preorder.payment_intent_id:
        paid_now = preorder.status == preorder.Status.AWAITING_RELEASE
        view.add_payment_event(
            PAYMENT_EVENT_PAID if paid_now else services.PAYMENT_EVENT_AUTHORISED,
            preorder.amount,
            reference=preorder.payment_intent_id,
        )


def preorder_order_place(view, order_number, user, basket, *args, **kwargs):
    """``handle_order_placement`` for a pre-order: a Pending order linked to its reservation.

    Positional like Oscar's ``handle_order_placement``, whose arguments it receives as they are.

    The order becomes Paid only when the pre-order is charged at release, so points, stock
    and recommendations follow then (``preorders.services.preorder_release``).
    """
    preorder = view.preorder
    try:
        with transaction.atomic():
            order = view.place_order(
                **view.place_order_kwargs(order_number, user, basket, *args, **kwargs)
            )
            services.preorder_attach_to_order(preorder_id=preorder.pk, order=order)
            basket.submit()
    except Exception as exc:
        logger.exception("Pre-order %s: order could not be placed", preorder.pk)
        services.preorder_abandon(preorder_id=preorder.pk, reason=str(exc)[:200])
        raise UnableToPlaceOrder(
            _("Your pre-order could not be placed. Nothing was charged; please try again.")
        ) from exc
    transaction.on_commit(lambda: order_confirmation_email_send.delay(order.pk))
    return view.handle_successful_order(order)
