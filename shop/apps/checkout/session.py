"""Oscar's checkout session mixin, plus the pre-order basket rule (issue 7).

Every checkout step runs ``check_basket_is_valid``; a basket mixing a pre-order with other
items is sent back to the basket page with the reason (preorders.checkout explains the rule).
"""

from oscar.apps.checkout import session

from preorders.checkout import preorder_basket_rule_check


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def check_basket_is_valid(self, request):
        super().check_basket_is_valid(request)
        preorder_basket_rule_check(basket=request.basket)
