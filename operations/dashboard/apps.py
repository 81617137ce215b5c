"""The operators' screens for store operations, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig
from oscar.core.loading import get_class


class OperationsDashboardConfig(OscarDashboardConfig):
    label = "operations_dashboard"
    name = "operations.dashboard"
    verbose_name = _("Operations dashboard")

    default_permissions = ["is_staff"]

    def configure_permissions(self):
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")

        def staff_with(*codenames):
            # Staff *and* the model permission: partner users never see stock costs.
            return (DashboardPermission.staff + DashboardPermission.get("operations", *codenames),)

        view_stock = staff_with("view_reordersuggestion")
        change_stock = staff_with("view_reordersuggestion", "add_stockmovement")
        view_po = staff_with("view_purchaseorder")
        change_po = staff_with("view_purchaseorder", "change_purchaseorder")
        view_supplier = staff_with("view_supplier")
        change_supplier = staff_with("view_supplier", "change_supplier")
        self.permissions_map = {
            "operations-reorder": view_stock,
            "operations-reorder-action": staff_with("view_reordersuggestion", "add_purchaseorder"),
            "operations-po-list": view_po,
            "operations-po-detail": view_po,
            "operations-po-print": view_po,
            "operations-po-action": change_po,
            "operations-supplier-list": view_supplier,
            "operations-supplier-create": staff_with("add_supplier"),
            "operations-supplier-update": change_supplier,
            "operations-supplier-product-create": change_supplier,
            "operations-supplier-statement": view_supplier,
            "operations-supplier-payment-create": staff_with(
                "view_supplier", "add_supplierpayment"
            ),
            "operations-stock-list": view_stock,
            "operations-stock-detail": view_stock,
            "operations-stock-count": change_stock,
            "operations-stock-freeze": change_stock,
            "operations-calendar-list": staff_with("view_academiccalendarperiod"),
            "operations-calendar-create": staff_with("add_academiccalendarperiod"),
            "operations-calendar-update": staff_with("change_academiccalendarperiod"),
            "operations-calendar-delete": staff_with("delete_academiccalendarperiod"),
            "operations-promotion-create": (
                DashboardPermission.staff
                + DashboardPermission.get("offer", "add_conditionaloffer"),
            ),
            "operations-finance": staff_with("view_reordersuggestion", "view_supplier"),
        }

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        from operations.dashboard import views

        self.views = views
        self.configure_permissions()

    def get_urls(self):
        v = self.views
        urls = [
            path("reorder/", v.ReorderListView.as_view(), name="operations-reorder"),
            path(
                "reorder/action/", v.ReorderActionView.as_view(), name="operations-reorder-action"
            ),
            path("purchase-orders/", v.PurchaseOrderListView.as_view(), name="operations-po-list"),
            path(
                "purchase-orders/<int:pk>/",
                v.PurchaseOrderDetailView.as_view(),
                name="operations-po-detail",
            ),
            path(
                "purchase-orders/<int:pk>/print/",
                v.PurchaseOrderPrintView.as_view(),
                name="operations-po-print",
            ),
            path(
                "purchase-orders/<int:pk>/<slug:action>/",
                v.PurchaseOrderActionView.as_view(),
                name="operations-po-action",
            ),
            path("suppliers/", v.SupplierListView.as_view(), name="operations-supplier-list"),
            path(
                "suppliers/new/", v.SupplierCreateView.as_view(), name="operations-supplier-create"
            ),
            path(
                "suppliers/<int:pk>/",
                v.SupplierUpdateView.as_view(),
                name="operations-supplier-update",
            ),
            path(
                "suppliers/<int:pk>/products/new/",
                v.SupplierProductCreateView.as_view(),
                name="operations-supplier-product-create",
            ),
            path(
                "suppliers/<int:pk>/statement/",
                v.SupplierStatementView.as_view(),
                name="operations-supplier-statement",
            ),
            path(
                "suppliers/<int:pk>/payments/new/",
                v.SupplierPaymentCreateView.as_view(),
                name="operations-supplier-payment-create",
            ),
            path("stock/", v.StockListView.as_view(), name="operations-stock-list"),
            path("stock/<int:pk>/", v.StockDetailView.as_view(), name="operations-stock-detail"),
            path(
                "stock/<int:pk>/count/", v.StockCountView.as_view(), name="operations-stock-count"
            ),
            path(
                "stock/<int:pk>/freeze/",
                v.StockFreezeView.as_view(),
                name="operations-stock-freeze",
            ),
            path("calendar/", v.CalendarListView.as_view(), name="operations-calendar-list"),
            path(
                "calendar/new/", v.CalendarCreateView.as_view(), name="operations-calendar-create"
            ),
            path(
                "calendar/<int:pk>/",
                v.CalendarUpdateView.as_view(),
                name="operations-calendar-update",
            ),
            path(
                "calendar/<int:pk>/delete/",
                v.CalendarDeleteView.as_view(),
                name="operations-calendar-delete",
            ),
            path(
                "promotions/new/",
                v.MemberPromotionCreateView.as_view(),
                name="operations-promotion-create",
            ),
            path("finance/", v.FinanceReportView.as_view(), name="operations-finance"),
        ]
        return self.post_process_urls(urls)
