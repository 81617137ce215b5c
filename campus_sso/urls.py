"""Campus single sign-on routes; shop/urls.py includes them only when CAMPUS_SSO is set."""

from django.urls import include, path

urlpatterns = [
    # authenticate/ (start), callback/ (the portal returns here), logout/
    path("oidc/", include("mozilla_django_oidc.urls")),
]
