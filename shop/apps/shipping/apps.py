import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    """Oscar's shipping app, forked for the store's two ways to get an order: pick-up in store
    and campus delivery (``repository.Repository``), with their numbers in ``DeliverySettings``.
    """

    name = "shop.apps.shipping"

    def ready(self):
        super().ready()
        from shop.apps.shipping import receivers  # noqa: F401  (connects the signals)
