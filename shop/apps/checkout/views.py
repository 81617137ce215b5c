"""Oscar's checkout with Stripe card payments and the campus-card wallet.

The flow stays Oscar's: payment details -> preview -> place order (``submit``), with
``handle_payment`` charging the card and ``handle_order_placement`` placing the order
through ``checkout_attempt_place_order``, the same service the Stripe webhook uses.
"""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.csrf import csrf_exempt
from oscar.apps.checkout import views
from oscar.core.loading import get_class, get_model

from core.throttle import client_ip
from credit import selectors as credit_selectors
from credit import services as credit_services
from loyalty import offers as loyalty_offers
from loyalty import selectors as loyalty_selectors
from loyalty.services.redemption import PointsRedemptionRefused
from preorders import checkout as preorder_checkout
from shop.apps.checkout import baskets, services
from shop.apps.checkout.delivery_views import (  # noqa: F401  (Oscar's get_class finds them here)
    IndexView,
    ShippingAddressView,
    ShippingMethodView,
)
from shop.apps.checkout.forms import PaymentDetailsForm, PlaceOrderForm
from shop.apps.order.tasks import order_confirmation_email_send
from shop.apps.payment import stripe_gateway
from shop.apps.payment.services import (
    stripe_webhook_event_is_well_formed,
    stripe_webhook_event_process,
)
from wallet.selectors import wallet_get_for_user

logger = logging.getLogger(__name__)

RedirectRequired = get_class("payment.exceptions", "RedirectRequired")
FailedPreCondition = get_class("checkout.exceptions", "FailedPreCondition")
UnableToTakePayment = get_class("payment.exceptions", "UnableToTakePayment")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")
CheckoutAttempt = get_model("payment", "CheckoutAttempt")

# The checkout's own views call Stripe over HTTP: they must not hold the request-wide
# transaction (ATOMIC_REQUESTS) open while waiting, and the attempt row must be committed
# before Stripe can send its webhook. The services open their own short transactions.
non_atomic = method_decorator(transaction.non_atomic_requests, name="dispatch")


def _attempt_order_place(*, attempt_id: int, payment_intent):
    """Place the attempt's order; a database error becomes UnableToPlaceOrder with a message.

    The placement's transaction rolled back whole, so nothing was ordered and a retry is
    safe (the attempt keeps its idempotency key, and the card is never charged twice):
    both the place-order post and the 3-D Secure return page say so, instead of Oscar's
    "contact customer services" or a server error.
    """
    try:
        return services.checkout_attempt_place_order(
            attempt_id=attempt_id, payment_intent=payment_intent
        )
    except DatabaseError as exc:
        logger.exception("Database error placing checkout attempt %s", attempt_id)
        raise UnableToPlaceOrder(
            _(
                "Your order could not be placed because of a problem on our side, and no "
                "order was made. Please place it again: a payment that already went "
                "through is never taken twice."
            )
        ) from exc


def _stripe_context() -> dict:
    return {
        "stripe_js_url": settings.STRIPE_JS_URL,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }


@non_atomic
class PaymentDetailsView(views.PaymentDetailsView):
    def post(self, request, *args, **kwargs):
        if not self.preview:
            # Oscar answers a POST here with an empty 400; say what to do instead.
            return HttpResponseBadRequest(
                _("Payment details are sent from the order preview: go back and check out again.")
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(_stripe_context())
        ctx.setdefault("payment_form", self._payment_form_from_session())
        ctx["wallet"] = wallet_get_for_user(user=self.request.user)
        ctx["credit_accounts"] = credit_selectors.credit_accounts_for_buyer(user=self.request.user)
        # Points as a discount (the loyalty "Points" offer); chosen on this page.
        ctx["points_options"] = loyalty_selectors.points_redemption_options(
            user=self.request.user,
            basket=self.request.basket,
            goods_value=loyalty_offers.basket_goods_value_before_points(basket=self.request.basket),
        )
        order_total = ctx.get("order_total")
        shipping_method = ctx.get("shipping_method")
        if order_total is not None and shipping_method is not None:
            ctx["basket_fingerprint"] = services.checkout_basket_fingerprint(
                basket=self.request.basket,
                order_total=order_total,
                shipping_method_code=shipping_method.code,
            )
            payment_form = ctx["payment_form"]
            use_wallet = (
                payment_form.is_bound
                and payment_form.is_valid()
                and payment_form.cleaned_data["use_wallet"]
            )
            ctx["wallet_amount"], ctx["card_amount"] = services.checkout_wallet_split(
                wallet=ctx["wallet"], use_wallet=use_wallet, total=order_total.incl_tax
            )
        return ctx

    def _payment_form_from_session(self) -> PaymentDetailsForm:
        """The choice made on the payment details page, for a preview shown again by a GET.

        Bound on the preview, so it shows and posts the same split; only a starting value on
        the payment details page, where the shopper may change it.
        """
        choice = self.checkout_session.payment_choice()
        if not choice:
            return PaymentDetailsForm()
        if self.preview:
            return PaymentDetailsForm(data=choice)
        return PaymentDetailsForm(
            initial={key: choice[key] for key in ("use_wallet", "credit_account") if key in choice}
        )

    def _payment_choice_remember(self, form: PaymentDetailsForm) -> None:
        self.checkout_session.set_payment_choice(
            {
                key: value
                for key, value in {
                    "use_wallet": "on" if form.cleaned_data["use_wallet"] else "",
                    "credit_account": form.cleaned_data["credit_account"] or "",
                    "payment_method_id": form.cleaned_data["payment_method_id"],
                }.items()
                if value
            }
        )

    def _payment_parts(self, form, order_total):
        wallet = wallet_get_for_user(user=self.request.user)
        wallet_amount, card_amount = services.checkout_wallet_split(
            wallet=wallet, use_wallet=form.cleaned_data["use_wallet"], total=order_total.incl_tax
        )
        return wallet, wallet_amount, card_amount

    def check_basket_is_not_empty(self, request):
        # A tab posting "place order" for a basket another tab is paying for, or has ordered,
        # finds the member's basket empty: say so rather than "add some items".
        if request.method == "POST" and request.basket.is_empty and request.user.is_authenticated:
            basket_id = request.POST.get("basket_id", "")
            refusal = baskets.checkout_basket_not_open(
                basket_id=int(basket_id) if basket_id.isdigit() and len(basket_id) < 18 else None,
                user=request.user,
            )
            if refusal is not None:
                raise FailedPreCondition(
                    url=reverse("customer:order", kwargs={"order_number": refusal.order.number})
                    if refusal.order is not None
                    else reverse("basket:summary"),
                    message=str(refusal),
                )
        super().check_basket_is_not_empty(request)

    def submit(self, **kwargs):
        try:
            return super().submit(**kwargs)
        except baskets.CheckoutBasketNotOpen as exc:
            # Refused by freeze_basket, before any payment: another tab is paying for this
            # basket or has ordered it. Nothing to restore, nothing was charged.
            logger.info("Checkout refused: %s", exc)
            if exc.order is not None and self.request.user.is_authenticated:
                messages.info(self.request, str(exc))
                return redirect("customer:order", order_number=exc.order.number)
            return self.render_preview(
                self.request, error=str(exc), **(kwargs.get("payment_kwargs") or {})
            )

    def handle_payment_details_submission(self, request):
        form = PaymentDetailsForm(request.POST)
        if not form.is_valid():
            return self.render_payment_details(request, payment_form=form)
        submission = self.build_submission()
        if form.cleaned_data["credit_account"]:
            try:
                credit_services.onaccount_precheck(
                    account_id=form.cleaned_data["credit_account"],
                    buyer=request.user,
                    amount=submission["order_total"].incl_tax,
                )
            except credit_services.CreditRefused as exc:
                return self.render_payment_details(
                    request, payment_form=form, error=exc.messages[0]
                )
            self._payment_choice_remember(form)
            return self.render_preview(request, payment_form=form)
        _wallet, _wallet_amount, card_amount = self._payment_parts(form, submission["order_total"])
        if card_amount > 0 and not form.cleaned_data["payment_method_id"]:
            return self.render_payment_details(
                request, payment_form=form, error=_("Please enter your card details.")
            )
        self._payment_choice_remember(form)
        return self.render_preview(request, payment_form=form)

    def handle_place_order_submission(self, request):
        form = PlaceOrderForm(request.POST)
        if not form.is_valid():
            return self.render_payment_details(
                request, payment_form=form, error=_("Please enter your payment details again.")
            )
        submission = self.build_submission()
        order_total = submission["order_total"]
        fingerprint = services.checkout_basket_fingerprint(
            basket=submission["basket"],
            order_total=order_total,
            shipping_method_code=submission["shipping_method"].code,
        )
        # Never charge an amount the shopper did not see: the client's copy of the total
        # and the basket digest must both match what the server computes now.
        if (
            form.cleaned_data["basket_fingerprint"] != fingerprint
            or form.cleaned_data["order_total"] != order_total.incl_tax
        ):
            logger.info(
                "Checkout refused: basket %s changed since the preview", submission["basket"].id
            )
            return self.render_preview(
                request,
                payment_form=form,
                error=_(
                    "Your basket changed since you reviewed this order (perhaps in another tab). "
                    "Nothing was charged: please check the new total and place your order again."
                ),
            )
        if form.cleaned_data["credit_account"]:
            submission["payment_kwargs"].update(
                payment_form=form, credit_account_id=form.cleaned_data["credit_account"]
            )
            return self.submit(**submission)
        wallet, wallet_amount, card_amount = self._payment_parts(form, order_total)
        if card_amount > 0 and not form.cleaned_data["payment_method_id"]:
            return self.render_payment_details(
                request, payment_form=form, error=_("Please enter your card details.")
            )
        submission["payment_kwargs"].update(
            payment_form=form,
            wallet=wallet,
            wallet_amount=wallet_amount,
            card_amount=card_amount,
            quote=services.checkout_quote_build(
                basket=submission["basket"],
                user=submission["user"],
                shipping_address=submission["shipping_address"],
                shipping_method=submission["shipping_method"],
                request=request,
            ),
        )
        return self.submit(**submission)

    def handle_payment(self, order_number, total, **kwargs):
        if preorder_checkout.basket_preorder_line(basket=self.request.basket) is not None:
            # Pre-orders reserve a unit and pay by their own policy.
            return preorder_checkout.preorder_payment_handle(
                view=self, order_number=order_number, total=total, **kwargs
            )
        self.credit_account_id = kwargs.get("credit_account_id")
        if self.credit_account_id:
            # Pay on account: no money moves now. Check the credit early for a clear message;
            # the binding check runs again under the account's lock when the order is placed.
            try:
                credit_services.onaccount_precheck(
                    account_id=self.credit_account_id,
                    buyer=self.request.user,
                    amount=total.incl_tax,
                )
            except credit_services.CreditRefused as exc:
                raise UnableToTakePayment(exc.messages[0]) from exc
            self.add_payment_source(
                credit_services.onaccount_source_build(
                    account_id=self.credit_account_id,
                    amount=total.incl_tax,
                    currency=total.currency,
                )
            )
            return
        attempt = services.checkout_attempt_start(
            basket=self.request.basket,
            user=self.request.user,
            guest_email=self.checkout_session.get_guest_email() or "",
            order_number=str(order_number),
            quote=kwargs["quote"],
            wallet=kwargs["wallet"],
            wallet_amount=kwargs["wallet_amount"],
            card_amount=kwargs["card_amount"],
            payment_method_id=kwargs["payment_form"].cleaned_data["payment_method_id"],
        )
        self.checkout_attempt = attempt
        self.payment_intent = None
        if attempt.card_amount <= 0:
            return
        try:
            self.payment_intent = services.checkout_attempt_charge_card(attempt=attempt)
        except stripe_gateway.GatewayError as exc:
            if isinstance(exc, stripe_gateway.GatewayRejected):
                logger.error("Stripe rejected checkout attempt %s: %s", attempt.pk, exc)
            raise UnableToTakePayment(str(exc.user_message)) from exc
        if self.payment_intent.requires_action:
            raise RedirectRequired(
                reverse("checkout:stripe-authenticate")
                + "?"
                + urlencode({"attempt": attempt.public_id})
            )

    def handle_order_placement(self, order_number, user, basket, *args, **kwargs):
        if getattr(self, "preorder", None) is not None:
            # A Pending order linked to the pre-order's reservation.
            return preorder_checkout.preorder_order_place(
                self, order_number, user, basket, *args, **kwargs
            )
        if getattr(self, "credit_account_id", None):
            return self._place_order_on_account(order_number, user, basket, *args, **kwargs)
        order = _attempt_order_place(
            attempt_id=self.checkout_attempt.pk, payment_intent=self.payment_intent
        )
        return self.handle_successful_order(order)

    def _place_order_on_account(self, order_number, user, basket, *args, **kwargs):
        placement = self.place_order_kwargs(order_number, user, basket, *args, **kwargs)
        try:
            order, approval = credit_services.onaccount_order_place(
                account_id=self.credit_account_id,
                buyer=user,
                amount=placement["order_total"].incl_tax,
                place_order=lambda: self.place_order(**placement),
            )
        except (credit_services.CreditRefused, PointsRedemptionRefused) as exc:
            raise UnableToPlaceOrder(exc.messages[0]) from exc
        basket.submit()
        transaction.on_commit(lambda: order_confirmation_email_send.delay(order.pk))
        if approval is not None:
            messages.info(
                self.request,
                _("Order %(number)s waits for a credit approver: %(reason)s")
                % {"number": order.number, "reason": approval.referral_reason},
            )
        return self.handle_successful_order(order)

    def send_order_placed_email(self, order):
        # The placement service queues the confirmation email (on commit) for every path,
        # including the webhook, so the view must not send a second one.
        return None

    def render_payment_details(self, request, **kwargs):
        kwargs.setdefault("payment_form", PaymentDetailsForm(request.POST or None))
        return super().render_payment_details(request, **kwargs)


class _AttemptFromSessionMixin:
    """Finds the attempt named in the query string, if it is this session's checkout."""

    def get_attempt(self) -> CheckoutAttempt:
        try:
            attempt = CheckoutAttempt.objects.get(public_id=self.request.GET.get("attempt", ""))
        except (CheckoutAttempt.DoesNotExist, ValidationError, ValueError) as exc:
            raise Http404 from exc
        if attempt.basket_id is None:
            raise Http404
        # A member may have two tabs at 3-D Secure: the session names only the last basket.
        members_own = self.request.user.is_authenticated and attempt.user_id == self.request.user.pk
        if not members_own and attempt.basket_id != self.checkout_session.get_submitted_basket_id():
            raise Http404
        return attempt


@non_atomic
class StripeAuthenticateView(_AttemptFromSessionMixin, OrderPlacementMixin, generic.TemplateView):
    """Runs the card's 3-D Secure step with Stripe.js, then goes to the return view."""

    template_name = "oscar/checkout/stripe_authenticate.html"

    def get(self, request, *args, **kwargs):
        attempt = self.get_attempt()
        return_url = (
            reverse("checkout:stripe-return") + "?" + urlencode({"attempt": attempt.public_id})
        )
        if (
            attempt.status != CheckoutAttempt.Status.REQUIRES_ACTION
            or not attempt.payment_intent_id
        ):
            return redirect(return_url)
        try:
            payment_intent = stripe_gateway.payment_intent_retrieve(
                payment_intent_id=attempt.payment_intent_id
            )
        except stripe_gateway.GatewayError as exc:
            messages.error(request, str(exc.user_message))
            return redirect(return_url)
        if not payment_intent.requires_action:
            return redirect(return_url)
        ctx = self.get_context_data(
            client_secret=payment_intent.client_secret,
            return_url=return_url,
            attempt=attempt,
            **_stripe_context(),
        )
        return self.render_to_response(ctx)


@non_atomic
class StripeReturnView(_AttemptFromSessionMixin, OrderPlacementMixin, generic.View):
    """Where the browser lands after 3-D Secure: place the order if the card was charged."""

    def get(self, request, *args, **kwargs):
        attempt = self.get_attempt()
        if attempt.order_id is None:
            try:
                payment_intent = stripe_gateway.payment_intent_retrieve(
                    payment_intent_id=attempt.payment_intent_id
                )
            except stripe_gateway.GatewayError as exc:
                messages.error(request, str(exc.user_message))
                return redirect("checkout:preview")
            if payment_intent.requires_action:
                return redirect(
                    reverse("checkout:stripe-authenticate")
                    + "?"
                    + urlencode({"attempt": attempt.public_id})
                )
            if not payment_intent.succeeded:
                message = _(
                    "Your card could not be authenticated. Nothing was charged: please try another card."
                )
                services.checkout_attempt_fail(attempt_id=attempt.pk, message=message)
                self.restore_frozen_basket(basket_id=attempt.basket_id)
                messages.error(request, message)
                return redirect("checkout:payment-details")
            # As Oscar's submit() does after payment: a refusal says why, anything else is
            # logged and told plainly, never a server error while the card stays charged.
            try:
                order = _attempt_order_place(attempt_id=attempt.pk, payment_intent=payment_intent)
            except UnableToPlaceOrder as exc:
                message = str(exc)
            except Exception:
                logger.exception("Unhandled error placing checkout attempt %s", attempt.pk)
                message = _(
                    "A problem occurred while placing this order. Please contact customer services."
                )
            else:
                return self.handle_successful_order(order)
            self.restore_frozen_basket(basket_id=attempt.basket_id)
            messages.error(request, message)
            return redirect("basket:summary")
        else:
            order = attempt.order
        return self.handle_successful_order(order)

    def send_order_placed_email(self, order):
        return None


@method_decorator(csrf_exempt, name="dispatch")
@non_atomic
class StripeWebhookView(generic.View):
    """Stripe's events. A bad or missing signature gets 400 and changes nothing."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            stripe_gateway.webhook_event_construct(
                payload=request.body, signature_header=request.headers.get("Stripe-Signature")
            )
            event = json.loads(request.body)
        except ValueError:
            logger.warning(
                "Rejected a Stripe webhook with a bad signature from %s",
                client_ip(request),
            )
            return HttpResponseBadRequest("bad signature")
        if not stripe_webhook_event_is_well_formed(event=event):
            logger.warning("Rejected a signed Stripe webhook that is not a well-formed event")
            return HttpResponseBadRequest("malformed event")
        stripe_webhook_event_process(event=event)
        return HttpResponse("ok")
