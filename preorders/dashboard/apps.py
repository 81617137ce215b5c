"""Operators' pre-order screens and the cashiers' hand-over page, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig
from oscar.core.loading import get_class


class PreordersDashboardConfig(OscarDashboardConfig):
    label = "preorders_dashboard"
    name = "preorders.dashboard"
    verbose_name = _("Pre-orders dashboard")

    default_permissions = ["is_staff"]

    def configure_permissions(self):
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")

        def staff_with(*codenames):
            return (DashboardPermission.staff + DashboardPermission.get("preorders", *codenames),)

        report = staff_with("view_preorder_report")
        manage = staff_with("change_preordersettings")
        self.permissions_map = {
            "preorders-report": report,
            "preorders-product": report,
            "preorders-settings-create": manage,
            "preorders-settings-edit": manage,
            "preorders-date-move": manage,
            "preorders-cancel-all": staff_with("change_preorder"),
            "preorders-cancel": staff_with("change_preorder"),
            # The "Cashiers" group (TILL) holds this one permission.
            "preorders-handover": staff_with("hand_over_preorder"),
        }

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        from preorders.dashboard import views

        self.views = views
        self.configure_permissions()

    def get_urls(self):
        v = self.views
        urls = [
            path("", v.ReportView.as_view(), name="preorders-report"),
            path("new/", v.SettingsCreateView.as_view(), name="preorders-settings-create"),
            path("<int:pk>/", v.ProductView.as_view(), name="preorders-product"),
            path("<int:pk>/edit/", v.SettingsEditView.as_view(), name="preorders-settings-edit"),
            path("<int:pk>/move-date/", v.DateMoveView.as_view(), name="preorders-date-move"),
            path("<int:pk>/cancel-all/", v.CancelAllView.as_view(), name="preorders-cancel-all"),
            path("cancel/<int:pk>/", v.CancelView.as_view(), name="preorders-cancel"),
            path("hand-over/", v.HandOverView.as_view(), name="preorders-handover"),
        ]
        return self.post_process_urls(urls)
