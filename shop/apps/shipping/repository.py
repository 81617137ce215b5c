"""Which ways to get an order the checkout offers, with the numbers of ``DeliverySettings``."""

from oscar.apps.shipping import repository
from oscar.apps.shipping.methods import NoShippingRequired

from preorders.checkout import basket_preorder_line
from shop.apps.shipping import selectors
from shop.apps.shipping.methods import CampusDelivery, PickUpInStore


class Repository(repository.Repository):
    """Pick-up in store first (free, the default the basket page shows), then campus delivery
    in each round still open. A pre-order basket needs no shipping at checkout: a pre-order
    is handed over when it is released (``preorders``)."""

    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        if basket_preorder_line(basket=basket) is not None:
            return [NoShippingRequired()]
        settings = selectors.delivery_settings_get(request=kwargs.get("request"))
        methods = [
            PickUpInStore(
                ready_at=selectors.pickup_ready_at(settings=settings),
                place=selectors.pickup_place_get(settings=settings),
            )
        ]
        methods.extend(
            CampusDelivery(
                fee=settings.delivery_fee,
                free_from=settings.free_delivery_threshold,
                delivery_round=delivery_round,
            )
            for delivery_round in selectors.delivery_rounds_open(settings=settings)
        )
        return methods
