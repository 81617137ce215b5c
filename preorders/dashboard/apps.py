"""Operators' pre-order screens and the cashiers' hand-over page, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from shop.dashboard import StaffPermissionDashboardConfig


class PreordersDashboardConfig(StaffPermissionDashboardConfig):
    label = "preorders_dashboard"
    name = "preorders.dashboard"
    verbose_name = _("Pre-orders dashboard")

    permission_app_label = "preorders"
    url_permissions = {
        "preorders-report": ("view_preorder_report",),
        "preorders-product": ("view_preorder_report",),
        "preorders-settings-create": ("change_preordersettings",),
        "preorders-settings-edit": ("change_preordersettings",),
        "preorders-date-move": ("change_preordersettings",),
        # Moves the date to today and charges the customers' cards.
        "preorders-release-now": ("change_preordersettings", "change_preorder"),
        "preorders-cancel-all": ("change_preorder",),
        "preorders-cancel": ("change_preorder",),
        # The cashier role (staff.roles) holds this one permission.
        "preorders-handover": ("hand_over_preorder",),
    }

    def get_urls(self):
        v = self.views
        urls = [
            path("", v.ReportView.as_view(), name="preorders-report"),
            path("new/", v.SettingsCreateView.as_view(), name="preorders-settings-create"),
            path("<int:pk>/", v.ProductView.as_view(), name="preorders-product"),
            path("<int:pk>/edit/", v.SettingsEditView.as_view(), name="preorders-settings-edit"),
            path("<int:pk>/move-date/", v.DateMoveView.as_view(), name="preorders-date-move"),
            path("<int:pk>/release/", v.ReleaseNowView.as_view(), name="preorders-release-now"),
            path("<int:pk>/cancel-all/", v.CancelAllView.as_view(), name="preorders-cancel-all"),
            path("cancel/<int:pk>/", v.CancelView.as_view(), name="preorders-cancel"),
            path("hand-over/", v.HandOverView.as_view(), name="preorders-handover"),
        ]
        return self.post_process_urls(urls)
