from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import generic
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from shop.apps.order import services
from shop.apps.order.dashboard.forms import OrderRefundForm

Order = get_model("order", "Order")
get_order_for_user_or_404 = get_class("dashboard.orders.views", "get_order_for_user_or_404")


# Calls Stripe over HTTP: the service opens its own short transactions.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class OrderRefundView(generic.FormView):
    template_name = "oscar/dashboard/orders/order_refund.html"
    form_class = OrderRefundForm

    def dispatch(self, request, *args, **kwargs):
        self.order = get_order_for_user_or_404(request.user, kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["order"] = self.order
        kwargs["line_refundable"] = services.order_line_refundable_quantities(order=self.order)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["order"] = self.order
        ctx["refundable"] = services.order_refundable_amount(order=self.order)
        ctx["refunds"] = self.order.refunds.all()
        return ctx

    def form_valid(self, form):
        try:
            refund = services.order_refund(
                order_id=self.order.pk,
                amount=form.cleaned_data.get("amount"),
                line_quantities=form.line_quantities(),
                reason=form.cleaned_data.get("reason", ""),
                refunded_by=self.request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Refunded %(amount)s.") % {"amount": currency(refund.amount, self.order.currency)},
        )
        return redirect("dashboard:order-detail", number=self.order.number)
