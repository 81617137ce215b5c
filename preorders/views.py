"""Customers' pre-order views: thin callers of preorders.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import generic

from preorders import services
from preorders.models import Preorder
from shop.apps.payment import stripe_gateway

# These views call Stripe over HTTP: no request-wide transaction held open meanwhile.
non_atomic = method_decorator(transaction.non_atomic_requests, name="dispatch")


@non_atomic
class PreorderCancelView(LoginRequiredMixin, generic.View):
    """The customer cancels their own pre-order before release, at no cost."""

    http_method_names = ["post"]

    def post(self, request, pk):
        preorder = get_object_or_404(Preorder, pk=pk, user=request.user)
        try:
            services.preorder_cancel(
                preorder_id=preorder.pk,
                reason=_("Cancelled by the customer"),
                cancelled_by=request.user,
                by_customer=True,
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("Your pre-order %(number)s is cancelled; anything paid is refunded.")
                % {"number": preorder.order_number},
            )
        return redirect(reverse("customer:order", kwargs={"order_number": preorder.order_number}))


@non_atomic
class PreorderPayAgainView(generic.TemplateView):
    """The link in the "payment failed" email: pay with another card (the token is the key)."""

    template_name = "preorders/pay_again.html"

    def get_preorder(self) -> Preorder:
        preorder = (
            Preorder.objects.select_related("settings__product")
            .filter(pay_again_token=self.kwargs["token"])
            .exclude(pay_again_token="")
            .first()
        )
        if preorder is None:
            raise Http404
        return preorder

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["preorder"] = self.get_preorder()
        ctx["stripe_js_url"] = settings.STRIPE_JS_URL
        ctx["stripe_publishable_key"] = settings.STRIPE_PUBLISHABLE_KEY
        return ctx

    def post(self, request, token):
        preorder = self.get_preorder()
        payment_method_id = request.POST.get("payment_method_id", "").strip()
        if not stripe_gateway.is_payment_method_id(payment_method_id):
            messages.error(
                request, _("The card details could not be read. Please enter them again.")
            )
            return redirect(request.path)
        try:
            services.preorder_pay_again(
                preorder_id=preorder.pk, payment_method_id=payment_method_id
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect(request.path)
        messages.success(request, _("Thank you: your pre-order is paid."))
        if (
            preorder.user_id
            and request.user.is_authenticated
            and request.user.pk == preorder.user_id
        ):
            return redirect(
                reverse("customer:order", kwargs={"order_number": preorder.order_number})
            )
        return redirect("/")
