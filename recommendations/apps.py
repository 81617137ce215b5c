from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self):
        from recommendations import (
            page_holes,  # noqa: F401  (registers the member's rows)
            receivers,  # noqa: F401  (connects the signal receivers)
        )
