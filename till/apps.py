from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TillConfig(AppConfig):
    name = "till"
    verbose_name = _("In-store till")

    def ready(self):
        from till import receivers  # noqa: F401  (connects the refund drawer check)
