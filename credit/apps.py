from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("Department credit accounts")

    def ready(self):
        from credit import receivers  # noqa: F401  (connects the order refund receivers)
