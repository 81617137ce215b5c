"""Account pages of the campus-card wallet: the statement and a top-up by bank card (thin
callers of services and selectors)."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import generic
from oscar.templatetags.currency_filters import currency

from shop.apps.payment import stripe_gateway
from wallet import selectors, services
from wallet.forms import WalletTopUpForm


def _stripe_context() -> dict:
    return {
        "stripe_js_url": settings.STRIPE_JS_URL,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }


class WalletStatementView(LoginRequiredMixin, generic.TemplateView):
    template_name = "wallet/wallet_statement.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        wallet = selectors.wallet_get_for_user(user=self.request.user)
        ctx.update(_stripe_context())
        ctx["wallet"] = wallet
        ctx["movements"] = selectors.wallet_statement(wallet_id=wallet.pk) if wallet else []
        ctx["form"] = kwargs.get("form") or WalletTopUpForm(initial={"request_token": uuid.uuid4()})
        ctx["top_up_min"], ctx["top_up_max"] = (
            services.WALLET_TOP_UP_MIN,
            services.WALLET_TOP_UP_MAX,
        )
        return ctx


# Calls Stripe over HTTP: no request-wide transaction held open meanwhile.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class WalletTopUpView(LoginRequiredMixin, generic.View):
    def post(self, request, *args, **kwargs):
        form = WalletTopUpForm(request.POST)
        if not form.is_valid():
            return self._refuse(form)
        wallet = services.wallet_get_or_create_for_user(user=request.user)
        try:
            result = services.wallet_top_up_by_card(
                wallet_id=wallet.pk,
                amount=form.cleaned_data["amount"],
                payment_method_id=form.cleaned_data["payment_method_id"],
                request_token=str(form.cleaned_data["request_token"]),
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._refuse(form)
        except stripe_gateway.GatewayError as exc:
            form.add_error(None, str(exc.user_message))
            return self._refuse(form)
        if result.payment_intent.requires_action:
            return render(
                request,
                "oscar/checkout/stripe_authenticate.html",
                {
                    **_stripe_context(),
                    "client_secret": result.payment_intent.client_secret,
                    "return_url": reverse("wallet:wallet-top-up-return")
                    + "?"
                    + urlencode({"payment_intent": result.payment_intent.id}),
                },
            )
        messages.success(
            request,
            _("%(amount)s was added to your campus card.")
            % {"amount": currency(result.transaction.amount)},
        )
        return redirect("wallet:wallet")

    def _refuse(self, form):
        view = WalletStatementView()
        view.setup(self.request)
        return view.render_to_response(view.get_context_data(form=form), status=400)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class WalletTopUpReturnView(LoginRequiredMixin, generic.View):
    def get(self, request, *args, **kwargs):
        wallet = selectors.wallet_get_for_user(user=request.user)
        payment_intent_id = request.GET.get("payment_intent", "")
        try:
            payment_intent = stripe_gateway.payment_intent_retrieve(
                payment_intent_id=payment_intent_id
            )
        except stripe_gateway.GatewayError as exc:
            messages.error(request, str(exc.user_message))
            return redirect("wallet:wallet")
        if wallet is None or payment_intent.metadata.get("wallet_id") != str(wallet.pk):
            messages.error(request, _("This top-up does not belong to your campus card."))
            return redirect("wallet:wallet")
        movement = services.wallet_top_up_from_payment_intent(
            payment_intent=payment_intent, created_by=request.user
        )
        if movement is None:
            messages.error(request, _("Your card could not be authenticated. Nothing was charged."))
        else:
            messages.success(
                request,
                _("%(amount)s was added to your campus card.")
                % {"amount": currency(movement.amount)},
            )
        return redirect("wallet:wallet")
