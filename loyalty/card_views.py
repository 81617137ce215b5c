"""Member card pages: card + PIN lookup (no login) and claiming a card (thin callers)."""

import time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic

from core.messages import messages_add_errors
from core.throttle import client_ip
from loyalty import selectors
from loyalty.forms import (
    CardHistoryFilterForm,
    CardPinChangeForm,
    CardPinForm,
    CardPinResetForm,
    CardPinResetRequestForm,
    DateOfBirthForm,
    PointsRedemptionForm,
    ReferralCodeForm,
)
from loyalty.models import MemberCard, Referral
from loyalty.offers import basket_goods_value_before_points
from loyalty.receivers import REFERRAL_SESSION_KEY
from loyalty.services.bonuses import (
    member_profile_get_or_create,
    member_profile_set_date_of_birth,
    referral_register,
)
from loyalty.services.cards import (
    CARD_BLOCKED_STATUSES,
    card_authenticate,
    card_claim,
    card_pin_change,
    card_pin_reset_card_for_token,
    card_pin_reset_confirm,
    card_pin_reset_request,
)
from loyalty.services.redemption import points_redemption_choose

# After a correct PIN the lookup stays open in this browser session for a while, so paging
# and filtering do not ask for the PIN again.
LOOKUP_SESSION_KEY = "loyalty_card_lookup"
LOOKUP_SESSION_SECONDS = 15 * 60
HISTORY_PAGE_SIZE = 20


def _lookup_card(request) -> MemberCard | None:
    entry = request.session.get(LOOKUP_SESSION_KEY)
    if not entry or entry.get("until", 0) < time.time():
        return None
    return (
        MemberCard.objects.select_related("account__tier", "member_type")
        .filter(pk=entry["card_id"])
        .exclude(status__in=CARD_BLOCKED_STATUSES)
        .first()
    )


class CardLookupView(generic.View):
    template_name = "loyalty/card_lookup.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": CardPinForm()})

    def post(self, request, *args, **kwargs):
        form = CardPinForm(request.POST)
        if form.is_valid():
            try:
                card = card_authenticate(
                    number=form.cleaned_data["number"],
                    pin=form.cleaned_data["pin"],
                    ip=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session.cycle_key()
                request.session[LOOKUP_SESSION_KEY] = {
                    "card_id": card.pk,
                    "until": time.time() + LOOKUP_SESSION_SECONDS,
                }
                return redirect("membercard:lookup-result")
        return render(request, self.template_name, {"form": form}, status=200)


class CardLookupResultView(generic.View):
    template_name = "loyalty/card_lookup_result.html"

    def get(self, request, *args, **kwargs):
        card = _lookup_card(request)
        if card is None:
            return redirect("membercard:lookup")
        filter_form = CardHistoryFilterForm(request.GET or None)
        date_from = date_to = None
        if filter_form.is_bound and filter_form.is_valid():
            date_from = filter_form.cleaned_data["date_from"]
            date_to = filter_form.cleaned_data["date_to"]
        account = card.account
        points = Paginator(
            selectors.points_history_between(
                account_id=account.pk, date_from=date_from, date_to=date_to
            ),
            HISTORY_PAGE_SIZE,
        ).get_page(request.GET.get("points_page"))
        orders = Paginator(
            selectors.account_orders(account_id=account.pk, date_from=date_from, date_to=date_to),
            HISTORY_PAGE_SIZE,
        ).get_page(request.GET.get("orders_page"))
        query = request.GET.copy()
        for key in ("points_page", "orders_page"):
            query.pop(key, None)
        return render(
            request,
            self.template_name,
            {
                "card": card,
                "card_reason": selectors.card_unusable_reason(card=card),
                "account": account,
                "progress": selectors.tier_progress(account=account),
                "filter_form": filter_form,
                "points_page": points,
                "orders_page": orders,
                "filter_query": query.urlencode(),
            },
        )


class CardLookupEndView(generic.View):
    def post(self, request, *args, **kwargs):
        request.session.pop(LOOKUP_SESSION_KEY, None)
        return redirect("membercard:lookup")


class CardClaimView(LoginRequiredMixin, generic.View):
    def post(self, request, *args, **kwargs):
        form = CardPinForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter the card number and its PIN."))
        else:
            try:
                card = card_authenticate(
                    number=form.cleaned_data["number"],
                    pin=form.cleaned_data["pin"],
                    ip=client_ip(request),
                )
                card_claim(user=request.user, number=card.number, pin=form.cleaned_data["pin"])
            except ValidationError as error:
                messages_add_errors(request, errors=error)
            else:
                messages.success(request, _("Your member card is now linked to your account."))
        return redirect(reverse("customer:profile-view"))


class CheckoutPointsView(LoginRequiredMixin, generic.View):
    """The member's choice of points on the checkout's payment page; nothing is held yet."""

    def post(self, request, *args, **kwargs):
        form = PointsRedemptionForm(request.POST)
        if "remove" in request.POST:
            form = PointsRedemptionForm({"points": 0})
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
        else:
            try:
                choice = points_redemption_choose(
                    user=request.user,
                    basket=request.basket,
                    points=form.cleaned_data["points"],
                    goods_value=basket_goods_value_before_points(basket=request.basket),
                )
            except ValidationError as error:
                messages_add_errors(request, errors=error)
            else:
                if choice is None:
                    messages.info(request, _("No points will be used on this order."))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(points)s point will be used on this order.",
                            "%(points)s points will be used on this order.",
                            choice.points,
                        )
                        % {"points": choice.points},
                    )
        return redirect("checkout:payment-details")


def _card_for_pin_change(request) -> MemberCard | None:
    return _lookup_card(request) or selectors.card_get_for_user(user=request.user)


class CardPinChangeView(generic.View):
    """Change the PIN knowing the current one: from the lookup or the account page."""

    template_name = "loyalty/pin_change.html"

    def dispatch(self, request, *args, **kwargs):
        self.card = _card_for_pin_change(request)
        if self.card is None:
            return redirect("membercard:lookup")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": CardPinChangeForm(), "card": self.card})

    def post(self, request, *args, **kwargs):
        form = CardPinChangeForm(request.POST)
        if form.is_valid():
            try:
                # Through the throttled check: this page must not be a way to guess PINs.
                card_authenticate(
                    number=self.card.number, pin=form.cleaned_data["pin"], ip=client_ip(request)
                )
                card_pin_change(
                    card_id=self.card.pk,
                    old_pin=form.cleaned_data["pin"],
                    new_pin=form.cleaned_data["new_pin"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your PIN was changed."))
                if _lookup_card(request) is not None:
                    return redirect("membercard:lookup-result")
                return redirect("customer:profile-view")
        return render(request, self.template_name, {"form": form, "card": self.card})


class CardPinResetRequestView(generic.View):
    template_name = "loyalty/pin_reset_request.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": CardPinResetRequestForm()})

    def post(self, request, *args, **kwargs):
        form = CardPinResetRequestForm(request.POST)
        if form.is_valid():
            try:
                card_pin_reset_request(
                    number=form.cleaned_data["number"],
                    ip=client_ip(request),
                    link_for_token=lambda token: request.build_absolute_uri(
                        reverse("membercard:pin-reset", kwargs={"token": token})
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The same answer whether or not the card exists or has an email address.
                return render(request, self.template_name, {"sent": True})
        return render(request, self.template_name, {"form": form})


class CardPinResetView(generic.View):
    template_name = "loyalty/pin_reset.html"

    def get(self, request, token, *args, **kwargs):
        try:
            card = card_pin_reset_card_for_token(token=token)
        except ValidationError as error:
            return render(request, self.template_name, {"invalid": error.messages[0]})
        return render(request, self.template_name, {"form": CardPinResetForm(), "card": card})

    def post(self, request, token, *args, **kwargs):
        form = CardPinResetForm(request.POST)
        if form.is_valid():
            try:
                card_pin_reset_confirm(token=token, new_pin=form.cleaned_data["new_pin"])
            except ValidationError as error:
                if error.code == "pin_reset_link_invalid":
                    return render(request, self.template_name, {"invalid": error.messages[0]})
                form.add_error(None, error)
            else:
                messages.success(request, _("Your new PIN is set. You can look up your card now."))
                return redirect("membercard:lookup")
        return render(request, self.template_name, {"form": form})


class MemberSettingsView(LoginRequiredMixin, generic.View):
    """Date of birth (birthday bonus), the member's referral code and someone else's."""

    template_name = "loyalty/member_settings.html"

    def _render(self, request, **forms_given):
        profile = member_profile_get_or_create(user=request.user)
        context = {
            "profile": profile,
            "card": selectors.card_get_for_user(user=request.user),
            "invite_url": request.build_absolute_uri(
                reverse("membercard:invite", kwargs={"code": profile.referral_code})
            ),
            "referral": Referral.objects.filter(newcomer=request.user)
            .select_related("referrer")
            .first(),
            "birth_form": forms_given.get("birth_form") or DateOfBirthForm(),
            "referral_form": forms_given.get("referral_form")
            or ReferralCodeForm(initial={"code": request.GET.get("code", "")}),
        }
        return render(request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        return self._render(request)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "referral":
            form = ReferralCodeForm(request.POST)
            if form.is_valid():
                try:
                    referral_register(newcomer=request.user, code=form.cleaned_data["code"])
                except ValidationError as error:
                    form.add_error("code", error)
                else:
                    messages.success(request, _("Thank you: your referral code is recorded."))
                    return redirect("membercard:settings")
            return self._render(request, referral_form=form)
        form = DateOfBirthForm(request.POST)
        if form.is_valid():
            try:
                member_profile_set_date_of_birth(
                    user=request.user, date_of_birth=form.cleaned_data["date_of_birth"]
                )
            except ValidationError as error:
                form.add_error("date_of_birth", error)
            else:
                messages.success(request, _("Your date of birth is saved."))
                return redirect("membercard:settings")
        return self._render(request, birth_form=form)


class InviteView(generic.View):
    """A member's invitation link: remembers the code until the visitor registers."""

    def get(self, request, code, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(reverse("membercard:settings") + "?" + urlencode({"code": code}))
        request.session[REFERRAL_SESSION_KEY] = code
        messages.info(
            request,
            _("Create your account: your friend's referral code %(code)s will be recorded.")
            % {"code": code},
        )
        return redirect("customer:register")
