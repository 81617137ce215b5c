"""The operators' screens for store operations, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from shop.dashboard import StaffPermissionDashboardConfig


class OperationsDashboardConfig(StaffPermissionDashboardConfig):
    label = "operations_dashboard"
    name = "operations.dashboard"
    verbose_name = _("Operations dashboard")

    permission_app_label = "operations"
    url_permissions = {
        "operations-reorder": ("view_reordersuggestion",),
        "operations-reorder-action": ("view_reordersuggestion", "add_purchaseorder"),
        "operations-po-list": ("view_purchaseorder",),
        "operations-po-detail": ("view_purchaseorder",),
        "operations-po-print": ("view_purchaseorder",),
        "operations-po-action": ("view_purchaseorder", "change_purchaseorder"),
        "operations-supplier-list": ("view_supplier",),
        "operations-supplier-create": ("add_supplier",),
        "operations-supplier-update": ("view_supplier", "change_supplier"),
        "operations-supplier-product-create": ("view_supplier", "change_supplier"),
        "operations-supplier-statement": ("view_supplier",),
        "operations-supplier-payment-create": ("view_supplier", "add_supplierpayment"),
        "operations-stock-list": ("view_reordersuggestion",),
        "operations-stock-detail": ("view_reordersuggestion",),
        "operations-stock-count": ("view_reordersuggestion", "add_stockmovement"),
        "operations-stock-freeze": ("view_reordersuggestion", "add_stockmovement"),
        "operations-calendar-list": ("view_academiccalendarperiod",),
        "operations-calendar-create": ("add_academiccalendarperiod",),
        "operations-calendar-update": ("change_academiccalendarperiod",),
        "operations-calendar-delete": ("delete_academiccalendarperiod",),
        "operations-promotion-create": ("offer.add_conditionaloffer",),
        "operations-finance": ("view_reordersuggestion", "view_supplier"),
    }

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
