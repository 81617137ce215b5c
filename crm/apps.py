from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customer relationships")

    def ready(self):
        from crm import receivers  # noqa: F401  (connects the signal receivers)
