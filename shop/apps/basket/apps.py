import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    name = "shop.apps.basket"

    def ready(self):
        super().ready()
        from shop.apps.basket import receivers  # noqa: F401  (connects the signals)
