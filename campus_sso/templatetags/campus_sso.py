from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def campus_sso_login_url() -> str:
    """Where the "log in with your campus account" button goes; empty when SSO is off."""
    if not getattr(settings, "CAMPUS_SSO", ""):
        return ""
    try:
        return reverse("oidc_authentication_init")
    except NoReverseMatch:
        return ""
