"""Oscar's order placement mixin, safe when one member checks out in several tabs at once.

Oscar's own freezes, thaws and records addresses by reading a row and saving it back, which
two requests of one member can interleave: a tab that failed would reopen a basket another tab
had just ordered (and the next order would contain it again), and two orders to one new
address would both insert it into the address book (a duplicate key, a server error). Each of
those steps is a single conditional write here (``shop.apps.checkout.baskets``); the rest is
Oscar's. Every checkout view, and the placement service the Stripe webhook uses, get this class
through ``get_class("checkout.mixins", "OrderPlacementMixin")``.
"""

from oscar.apps.checkout import mixins
from oscar.core.loading import get_model

from shop.apps.checkout import baskets

Basket = get_model("basket", "Basket")


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    def freeze_basket(self, basket):
        # Raises baskets.CheckoutBasketNotOpen when another tab froze or ordered it first.
        baskets.checkout_basket_freeze(basket=basket)

    def restore_frozen_basket(self, basket_id=None):
        """Thaw the basket whose payment failed (this session's, unless ``basket_id`` names
        it) and make it the request's basket again, as Oscar does; a basket that became an
        order meanwhile stays submitted."""
        if basket_id is None:
            basket_id = self.checkout_session.get_submitted_basket_id()
        baskets.checkout_basket_thaw(basket_id=basket_id)
        # Open now, whether thawed here or by the failed attempt (checkout_attempt_fail).
        basket = Basket.open.filter(pk=basket_id).first() if basket_id else None
        if basket is None:
            return
        if self.request.basket.id != basket.id:
            basket.merge(self.request.basket)
            basket.strategy = self.request.basket.strategy
            self.request.basket = basket

    def place_order_kwargs(
        self,
        order_number,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        surcharges=None,
        **kwargs,
    ) -> dict:
        """``handle_order_placement``'s arguments, positional as Oscar passes them, as the
        keyword arguments of ``place_order`` (which takes the total before the billing address).
        """
        return {
            "order_number": order_number,
            "user": user,
            "basket": basket,
            "shipping_address": shipping_address,
            "shipping_method": shipping_method,
            "shipping_charge": shipping_charge,
            "order_total": order_total,
            "billing_address": billing_address,
            "surcharges": surcharges,
            **kwargs,
        }

    def update_address_book(self, user, addr):
        baskets.checkout_address_book_record(user=user, address=addr)
