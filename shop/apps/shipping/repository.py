"""Which ways to get an order the checkout offers, with the numbers of ``DeliverySettings``."""

from oscar.apps.shipping import repository

from preorders.checkout import basket_preorder_line
from shop.apps.shipping import selectors
from shop.apps.shipping.methods import CampusDelivery, PickUpInStore


class Repository(repository.Repository):
    """Pick-up in store first (free, the default the basket page shows), then campus delivery
    in each round still open.

    A pre-order is a physical item too, so it is picked up or delivered like any order, only
    from its release day: both promises are counted from the start of that day (ready for
    pick-up when the desk opens, the rounds of that day onwards). A product the operator set
    to be "collected at the campus store" offers pick-up only (its no-show rules apply).
    """

    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        settings = selectors.delivery_settings_get(request=kwargs.get("request"))
        now = None
        pickup_only = False
        preorder = basket_preorder_line(basket=basket)
        if preorder is not None:
            _line, preorder_settings = preorder
            now = selectors.release_day_start(release_date=preorder_settings.release_date)
            pickup_only = preorder_settings.collect_in_store
        methods = [
            PickUpInStore(
                ready_at=selectors.pickup_ready_at(settings=settings, now=now),
                place=selectors.pickup_place_get(settings=settings),
            )
        ]
        if pickup_only:
            return methods
        methods.extend(
            CampusDelivery(
                fee=settings.delivery_fee,
                free_from=settings.free_delivery_threshold,
                delivery_round=delivery_round,
            )
            for delivery_round in selectors.delivery_rounds_open(settings=settings, now=now)
        )
        return methods
