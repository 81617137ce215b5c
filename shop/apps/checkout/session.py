"""Oscar's checkout session mixin, plus the pre-order basket rule and pick-up.

Every checkout step runs ``check_basket_is_valid``; a basket mixing a pre-order with other
items is sent back to the basket page with the reason (preorders.checkout explains the rule).

The shopper chooses how to get the order before where to: pick-up in store has no shipping
address at all, campus delivery asks building and room (``shop.apps.shipping.methods``).
"""

from oscar.apps.checkout import session

from preorders.checkout import preorder_basket_rule_check
from shop.apps.shipping.codes import shipping_method_needs_address


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def check_basket_is_valid(self, request):
        super().check_basket_is_valid(request)
        preorder_basket_rule_check(basket=request.basket)

    def shipping_method_needs_address(self, basket) -> bool:
        return shipping_method_needs_address(
            code=self.checkout_session.shipping_method_code(basket)
        )

    def get_shipping_address(self, basket):
        if not self.shipping_method_needs_address(basket):
            return None
        return super().get_shipping_address(basket)

    def check_shipping_data_is_captured(self, request):
        if not request.basket.is_shipping_required():
            return super().check_shipping_data_is_captured(request)
        # The method first (it decides whether an address is needed), then the address.
        self.check_a_valid_shipping_method_is_captured()
        if self.shipping_method_needs_address(request.basket):
            self.check_a_valid_shipping_address_is_captured()
