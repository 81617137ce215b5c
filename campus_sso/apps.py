from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampusSsoConfig(AppConfig):
    name = "campus_sso"
    verbose_name = _("Campus single sign-on")
