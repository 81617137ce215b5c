from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "shop.page_cache"
    label = "page_cache"
    verbose_name = "Page cache"

    def ready(self):
        # Registers the storefront's holes.
        from shop.page_cache import storefront_holes  # noqa: F401
