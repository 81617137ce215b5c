from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "shop.pages"
    label = "pages"
    verbose_name = _("Content pages")

    def ready(self):
        from shop.pages import receivers  # noqa: F401  (connects the signals)
