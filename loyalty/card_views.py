"""Member card pages: card + PIN lookup (no login) and claiming a card (thin callers)."""

import time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from loyalty import selectors, services
from loyalty.forms import CardHistoryFilterForm, CardPinForm
from loyalty.models import MemberCard

# After a correct PIN the lookup stays open in this browser session for a while, so paging
# and filtering do not ask for the PIN again.
LOOKUP_SESSION_KEY = "loyalty_card_lookup"
LOOKUP_SESSION_SECONDS = 15 * 60
HISTORY_PAGE_SIZE = 20


def _client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR", "")


def _lookup_card(request) -> MemberCard | None:
    entry = request.session.get(LOOKUP_SESSION_KEY)
    if not entry or entry.get("until", 0) < time.time():
        return None
    return (
        MemberCard.objects.select_related("account__tier", "member_type")
        .filter(pk=entry["card_id"])
        .exclude(status__in=services.CARD_BLOCKED_STATUSES)
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
                card = services.card_authenticate(
                    number=form.cleaned_data["number"],
                    pin=form.cleaned_data["pin"],
                    ip=_client_ip(request),
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
                card = services.card_authenticate(
                    number=form.cleaned_data["number"],
                    pin=form.cleaned_data["pin"],
                    ip=_client_ip(request),
                )
                services.card_claim(
                    user=request.user, number=card.number, pin=form.cleaned_data["pin"]
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Your member card is now linked to your account."))
        return redirect(reverse("customer:profile-view"))
