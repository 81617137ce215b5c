import re

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from shop.health import health_view
from shop.pages.views import home_page_serve

urlpatterns = [
    # Database, cache, broker and worker state for load balancers and `make prod`.
    path("health/", health_view, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The home page is a Wagtail page; it must win over Oscar's "" redirect to
    # OSCAR_HOMEPAGE, which would otherwise point at itself.
    path("", home_page_serve, name="home"),
    # The campus-card wallet: statement and top-ups.
    path("wallet/", include("wallet.urls")),
    # Member card + PIN lookup (no login) and claiming a card.
    path("member-card/", include("loyalty.card_urls")),
    # CRM: members' complaints, their replies, and the survey link.
    path("support/", include("crm.urls")),
    path(
        "dashboard/refunds/",
        include((apps.get_app_config("refunds_dashboard").urls[0], "refunds-dashboard")),
    ),
    # Store operations: reorder, suppliers, purchase orders, finance reports.
    path("dashboard/operations/", include(apps.get_app_config("operations_dashboard").urls[0])),
    # Department credit accounts: approvals, AR aging, statements.
    path("dashboard/credit/", include(apps.get_app_config("credit_dashboard").urls[0])),
    # The in-store till, cashier shifts, the weekly rota.
    path("dashboard/till/", include(apps.get_app_config("till_dashboard").urls[0])),
    # Pre-orders: operators' screens, report and the cashiers' hand-over page.
    path("dashboard/preorders/", include(apps.get_app_config("preorders_dashboard").urls[0])),
    # Customers cancel a pre-order before release, or pay again after a failed charge.
    path("preorders/", include("preorders.urls")),
    # Campaigns: open pixel, click redirect and unsubscribe links in emails.
    path("marketing/", include("marketing.urls")),
    # Campus single sign-on, only routed when CAMPUS_SSO is set.
    *([path("sso/", include("campus_sso.urls"))] if settings.CAMPUS_SSO else []),
    path("", include(apps.get_app_config("oscar").urls[0])),
    # Wagtail serves every other path that Oscar did not claim (content pages).
    path("", include(wagtail_urls)),
]

if settings.SERVE_MEDIA:
    # Uploads are served from our own host in every profile, DEBUG off included (Django's
    # static() helper routes nothing then). See SERVE_MEDIA in settings for why not WhiteNoise.
    urlpatterns = [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
        *urlpatterns,
    ]
