"""The credit controllers' screens, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from shop.dashboard import StaffPermissionDashboardConfig


class CreditDashboardConfig(StaffPermissionDashboardConfig):
    label = "credit_dashboard"
    name = "credit.dashboard"
    verbose_name = _("Credit accounts dashboard")

    permission_app_label = "credit"
    url_permissions = {
        "credit-account-list": ("view_creditaccount",),
        "credit-account-detail": ("view_creditaccount",),
        "credit-account-create": ("set_credit_limit",),
        # Limits and terms: the limit setters. Approving orders: a different permission.
        "credit-account-limit": ("set_credit_limit",),
        "credit-account-status": ("change_creditaccount",),
        "credit-payment-create": ("add_creditpayment",),
        "credit-writeoff-request": ("add_writeoff",),
        "credit-approval-list": ("view_creditaccount",),
        "credit-approval-decide": ("approve_credit_order",),
        "credit-writeoff-list": ("view_creditaccount",),
        "credit-writeoff-decide": ("approve_write_off",),
        "credit-aging": ("view_creditaccount",),
        "credit-balance-report": ("view_creditaccount",),
        "credit-statement": ("view_creditaccount",),
    }

    def get_urls(self):
        v = self.views
        urls = [
            path("", v.AccountListView.as_view(), name="credit-account-list"),
            path("new/", v.AccountCreateView.as_view(), name="credit-account-create"),
            path("<int:pk>/", v.AccountDetailView.as_view(), name="credit-account-detail"),
            path("<int:pk>/limit/", v.AccountLimitView.as_view(), name="credit-account-limit"),
            path("<int:pk>/status/", v.AccountStatusView.as_view(), name="credit-account-status"),
            path(
                "<int:pk>/payments/new/",
                v.PaymentCreateView.as_view(),
                name="credit-payment-create",
            ),
            path("<int:pk>/statement/", v.StatementView.as_view(), name="credit-statement"),
            path(
                "invoices/<int:pk>/write-off/",
                v.WriteOffRequestView.as_view(),
                name="credit-writeoff-request",
            ),
            path("approvals/", v.ApprovalListView.as_view(), name="credit-approval-list"),
            path(
                "approvals/<int:pk>/", v.ApprovalDecideView.as_view(), name="credit-approval-decide"
            ),
            path("write-offs/", v.WriteOffListView.as_view(), name="credit-writeoff-list"),
            path(
                "write-offs/<int:pk>/",
                v.WriteOffDecideView.as_view(),
                name="credit-writeoff-decide",
            ),
            path("aging/", v.AgingView.as_view(), name="credit-aging"),
            path("balance/", v.BalanceReportView.as_view(), name="credit-balance-report"),
        ]
        return self.post_process_urls(urls)
