import oscar.apps.customer.apps as apps


class CustomerConfig(apps.CustomerConfig):
    name = "shop.apps.customer"

    def ready(self):
        super().ready()
        from shop.apps.customer import receivers  # noqa: F401  (connects the login throttle)
