from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreordersConfig(AppConfig):
    name = "preorders"
    verbose_name = _("Pre-orders")

    def ready(self):
        from preorders import receivers  # noqa: F401  (connects the signal handlers)
