"""The till, cashier shifts and the weekly rota, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig
from oscar.core.loading import get_class


class TillDashboardConfig(OscarDashboardConfig):
    label = "till_dashboard"
    name = "till.dashboard"
    verbose_name = _("Till dashboard")

    default_permissions = ["is_staff"]

    def configure_permissions(self):
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")

        def staff_with(*codenames):
            # Staff *and* the till permission: the Cashiers group has it, partner users do not.
            return (DashboardPermission.staff + DashboardPermission.get("till", *codenames),)

        use_till = staff_with("use_till")
        self.permissions_map = {
            "till-sale": use_till,
            "till-receipt": staff_with("view_shift"),
            "till-shift-open": use_till,
            "till-shift-close": use_till,
            "till-shift-list": staff_with("view_shift"),
            "till-shift-detail": staff_with("view_shift"),
            "till-rota": staff_with("view_rotaassignment"),
            "till-rota-create": staff_with("add_rotaassignment"),
            "till-rota-update": staff_with("change_rotaassignment"),
            "till-rota-delete": staff_with("delete_rotaassignment"),
            "till-rota-copy": staff_with("add_rotaassignment"),
        }

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        from till.dashboard import views

        self.views = views
        self.configure_permissions()

    def get_urls(self):
        v = self.views
        urls = [
            path("", v.TillSaleView.as_view(), name="till-sale"),
            path("sales/<int:pk>/receipt/", v.ReceiptView.as_view(), name="till-receipt"),
            path("shifts/", v.ShiftListView.as_view(), name="till-shift-list"),
            path("shifts/open/", v.ShiftOpenView.as_view(), name="till-shift-open"),
            path("shifts/<int:pk>/", v.ShiftDetailView.as_view(), name="till-shift-detail"),
            path("shifts/<int:pk>/close/", v.ShiftCloseView.as_view(), name="till-shift-close"),
            path("rota/", v.RotaWeekView.as_view(), name="till-rota"),
            path("rota/new/", v.RotaAssignmentCreateView.as_view(), name="till-rota-create"),
            path("rota/<int:pk>/", v.RotaAssignmentUpdateView.as_view(), name="till-rota-update"),
            path(
                "rota/<int:pk>/delete/",
                v.RotaAssignmentDeleteView.as_view(),
                name="till-rota-delete",
            ),
            path("rota/copy/", v.RotaCopyView.as_view(), name="till-rota-copy"),
        ]
        return self.post_process_urls(urls)
