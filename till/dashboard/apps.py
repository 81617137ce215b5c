"""The till, cashier shifts and the weekly rota, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from shop.dashboard import StaffPermissionDashboardConfig


class TillDashboardConfig(StaffPermissionDashboardConfig):
    label = "till_dashboard"
    name = "till.dashboard"
    verbose_name = _("Till dashboard")

    permission_app_label = "till"
    # The cashier role (staff.roles) holds use_till and the view permissions; operators hold all.
    url_permissions = {
        "till-sale": ("use_till",),
        "till-receipt": ("view_shift",),
        # Cashiers refund their own open shift's sales; supervisors (change_shift) any.
        "till-refund": ("use_till",),
        "till-shift-open": ("use_till",),
        "till-shift-close": ("use_till",),
        "till-shift-list": ("view_shift",),
        "till-shift-detail": ("view_shift",),
        "till-rota": ("view_rotaassignment",),
        "till-rota-create": ("add_rotaassignment",),
        "till-rota-update": ("change_rotaassignment",),
        "till-rota-delete": ("delete_rotaassignment",),
        "till-rota-copy": ("add_rotaassignment",),
    }

    def get_urls(self):
        v = self.views
        urls = [
            path("", v.TillSaleView.as_view(), name="till-sale"),
            path("sales/<int:pk>/receipt/", v.ReceiptView.as_view(), name="till-receipt"),
            path("sales/<int:pk>/refund/", v.RefundView.as_view(), name="till-refund"),
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
