default_app_config = "shop.apps.offer.apps.OfferConfig"
