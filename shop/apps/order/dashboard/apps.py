from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig


class RefundsDashboardConfig(OscarDashboardConfig):
    """Operators refund orders from the dashboard's order page."""

    label = "refunds_dashboard"
    name = "shop.apps.order.dashboard"
    verbose_name = _("Refunds dashboard")
    namespace = "refunds-dashboard"
    # Money leaves the shop: staff who may change orders, never partner users.
    default_permissions = ["is_staff"]
    permissions_map = {"order-refund": (["is_staff", "order.view_order", "order.change_order"],)}

    def ready(self):
        from shop.apps.order.dashboard.views import OrderRefundView

        self.order_refund_view = OrderRefundView

    def get_urls(self):
        urls = [path("<str:number>/refund/", self.order_refund_view.as_view(), name="order-refund")]
        return self.post_process_urls(urls)
