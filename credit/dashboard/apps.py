"""The credit controllers' screens, as an Oscar dashboard app."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig
from oscar.core.loading import get_class


class CreditDashboardConfig(OscarDashboardConfig):
    label = "credit_dashboard"
    name = "credit.dashboard"
    verbose_name = _("Credit accounts dashboard")

    default_permissions = ["is_staff"]

    def configure_permissions(self):
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")

        def staff_with(*codenames):
            return (DashboardPermission.staff + DashboardPermission.get("credit", *codenames),)

        view = staff_with("view_creditaccount")
        self.permissions_map = {
            "credit-account-list": view,
            "credit-account-detail": view,
            "credit-account-create": staff_with("set_credit_limit"),
            # Limits and terms: the limit setters. Approving orders: a different permission.
            "credit-account-limit": staff_with("set_credit_limit"),
            "credit-account-status": staff_with("change_creditaccount"),
            "credit-payment-create": staff_with("add_creditpayment"),
            "credit-writeoff-request": staff_with("add_writeoff"),
            "credit-approval-list": view,
            "credit-approval-decide": staff_with("approve_credit_order"),
            "credit-writeoff-list": view,
            "credit-writeoff-decide": staff_with("approve_write_off"),
            "credit-aging": view,
            "credit-balance-report": view,
            "credit-statement": view,
        }

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        from credit.dashboard import views

        self.views = views
        self.configure_permissions()

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
