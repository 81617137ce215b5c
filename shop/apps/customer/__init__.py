default_app_config = "shop.apps.customer.apps.CustomerConfig"
