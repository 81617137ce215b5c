"""The CRM in the Wagtail admin: one "Customers" menu with profiles, complaints, lists,
reports and KPIs.

Custom screens are small ViewSets (Wagtail routes them under /cms/<name>/ and builds their
menu items); plain tables (lists, ticket categories) are ModelViewSets whose writes go
through crm.services.

Other apps add sections to the 360° profile with the "crm_profile_panels" hook:

    @hooks.register("crm_profile_panels")
    def my_panel(request, user):
        return MyPanel(user)  # a wagtail.admin.ui.components.Component, or None

Each hook function takes (request, user) and returns an object with ``render_html(request)``
or None (nothing to show for this customer).
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from crm import admin_views, services
from crm.models import ListEntry, PrivacyLog, TicketCategory


class PermissionMenuItem(MenuItem):
    permission = admin_views.PROFILE_PERMISSION

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def _menu_item_class(permission: str):
    return type("CrmMenuItem", (PermissionMenuItem,), {"permission": permission})


class CrmViewSet(ViewSet):
    permission = admin_views.PROFILE_PERMISSION

    @property
    def menu_item_class(self):
        return _menu_item_class(self.permission)


class CustomersViewSet(CrmViewSet):
    name = "crm_customers"
    url_prefix = "crm/customers"
    icon = "user"
    menu_label = _("Customer profiles")

    def get_urlpatterns(self):
        return [
            path("", admin_views.CustomerSearchView.as_view(), name="index"),
            path("<int:pk>/", admin_views.CustomerProfileView.as_view(), name="profile"),
            path("duplicates/", admin_views.DuplicatesView.as_view(), name="duplicates"),
        ]


class DuplicatesMenuViewSet(CrmViewSet):
    """Only a menu entry: the page lives in CustomersViewSet."""

    name = "crm_duplicates"
    icon = "group"
    menu_label = _("Possible duplicates")

    @property
    def menu_url(self):
        return reverse("crm_customers:duplicates")


class TicketsViewSet(CrmViewSet):
    name = "crm_tickets"
    url_prefix = "crm/complaints"
    icon = "help"
    menu_label = _("Complaints")

    def get_urlpatterns(self):
        return [
            path("", admin_views.TicketListView.as_view(), name="index"),
            path("<int:pk>/", admin_views.TicketDetailView.as_view(), name="edit"),
        ]


class ReportsViewSet(CrmViewSet):
    name = "crm_reports"
    url_prefix = "crm/reports"
    icon = "doc-full"
    menu_label = _("Reports")

    def get_urlpatterns(self):
        return [path("", admin_views.ReportsView.as_view(), name="index")]


class KpiViewSet(CrmViewSet):
    name = "crm_kpis"
    url_prefix = "crm/kpis"
    icon = "view"
    menu_label = _("KPIs")

    def get_urlpatterns(self):
        return [path("", admin_views.KpiView.as_view(), name="index")]


class PrivacyLogViewSet(CrmViewSet):
    name = "crm_privacy_log"
    url_prefix = "crm/privacy-log"
    icon = "lock"
    menu_label = _("Privacy log")
    permission = "crm.export_personal_data"

    def get_urlpatterns(self):
        return [path("", admin_views.PrivacyLogView.as_view(), name="index")]


class ListEntryCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.list_entry_add(
            customer_id=data["customer"].pk,
            kind=data["kind"],
            reason=data["reason"],
            expires_at=data["expires_at"],
            created_by=self.request.user,
        )


class ListEntryViewSet(ModelViewSet):
    model = ListEntry
    icon = "warning"
    menu_label = _("White, grey and black lists")
    add_view_class = ListEntryCreateView
    list_display = ["customer", "kind", "reason", "expires_at", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["customer__email", "customer__username", "reason"]
    panels = [
        FieldPanel("customer"),
        FieldPanel("kind"),
        FieldPanel("reason"),
        FieldPanel("expires_at"),
    ]


class TicketCategoryViewSet(ModelViewSet):
    model = TicketCategory
    icon = "tag"
    menu_label = _("Complaint categories")
    list_display = ["name", "first_reply_hours"]
    form_fields = ["name", "first_reply_hours"]


class CrmViewSetGroup(ViewSetGroup):
    menu_label = _("Customers")
    menu_icon = "group"
    menu_order = 250
    items = (
        CustomersViewSet,
        DuplicatesMenuViewSet,
        TicketsViewSet,
        ListEntryViewSet,
        ReportsViewSet,
        KpiViewSet,
        TicketCategoryViewSet,
        PrivacyLogViewSet,
    )


@hooks.register("register_admin_viewset")
def register_crm_viewsets():
    return CrmViewSetGroup()


@hooks.register("personal_data_exported")
def record_export_in_privacy_log(*, actor, what: str, detail: dict) -> None:
    """Other apps' personal-data exports (loyalty's member list) go to the same privacy log."""
    services.privacy_log(
        action=PrivacyLog.Action.EXPORT,
        actor=actor,
        subject_user_id=None,
        detail={"what": what, **detail},
    )
