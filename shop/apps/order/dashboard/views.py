from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from shop.apps.order import services
from shop.apps.order.dashboard.forms import OrderRefundForm
from till import selectors as till_selectors
from till import services as till_services

Order = get_model("order", "Order")
get_order_for_user_or_404 = get_class("dashboard.orders.views", "get_order_for_user_or_404")


# Calls Stripe over HTTP: the service opens its own short transactions.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class OrderRefundView(generic.FormView):
    """Refund an order. A till sale is refunded through the till's service, so its cash is
    paid out of a named open shift's drawer and that shift's expected cash knows it."""

    template_name = "oscar/dashboard/orders/order_refund.html"
    form_class = OrderRefundForm

    def dispatch(self, request, *args, **kwargs):
        self.order = get_order_for_user_or_404(request.user, kwargs["number"])
        try:
            self.till_sale = self.order.till_sale
        except ObjectDoesNotExist:
            self.till_sale = None
        return super().dispatch(request, *args, **kwargs)

    def _pays_cash(self) -> bool:
        return (
            self.till_sale is not None
            and self.till_sale.payment_method == self.till_sale.PaymentMethod.CASH
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["order"] = self.order
        kwargs["line_refundable"] = services.order_line_refundable_quantities(order=self.order)
        if self._pays_cash():
            shifts = till_selectors.shifts_open()
            own = till_selectors.shift_open_for_cashier(cashier=self.request.user)
            kwargs["drawer_shifts"] = shifts
            kwargs["drawer_initial"] = own or shifts.filter(pk=self.till_sale.shift_id).first()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["order"] = self.order
        ctx["till_sale"] = self.till_sale
        ctx["refundable"] = services.order_refundable_amount(order=self.order)
        ctx["refunds"] = self.order.refunds.all()
        return ctx

    def form_valid(self, form):
        refund_kwargs = {
            "amount": form.cleaned_data.get("amount"),
            "line_quantities": form.line_quantities(),
            "restock_quantities": form.restock_quantities(),
            "reason": form.cleaned_data.get("reason", ""),
            "refunded_by": self.request.user,
        }
        try:
            if self.till_sale is not None:
                drawer = form.cleaned_data.get("drawer_shift")
                refund = till_services.till_sale_refund(
                    sale_id=self.till_sale.pk,
                    drawer_shift_id=drawer.pk if drawer else None,
                    **refund_kwargs,
                ).refund
            else:
                refund = services.order_refund(order_id=self.order.pk, **refund_kwargs)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.form_invalid(form)
        if refund.cash_amount:
            messages.success(
                self.request,
                _("Refunded %(amount)s: hand %(cash)s in cash from %(till)s back to the customer.")
                % {
                    "amount": currency(refund.amount, self.order.currency),
                    "cash": currency(refund.cash_amount, self.order.currency),
                    "till": refund.till_refund.shift.register,
                },
            )
        else:
            messages.success(
                self.request,
                _("Refunded %(amount)s.")
                % {"amount": currency(refund.amount, self.order.currency)},
            )
        restocked = sum(refund.restock_quantities.values())
        if restocked:
            messages.info(
                self.request,
                ngettext(
                    "%(n)s unit went back to stock.", "%(n)s units went back to stock.", restocked
                )
                % {"n": restocked},
            )
        return redirect("dashboard:order-detail", number=self.order.number)
