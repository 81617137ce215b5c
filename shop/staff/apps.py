from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "shop.staff"
    label = "staff"
    verbose_name = _("Staff roles")

    def ready(self):
        from shop.staff import receivers  # noqa: F401  (connects the signals)
