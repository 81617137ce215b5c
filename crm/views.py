"""Member-facing CRM pages: complaints ("Support" in the account) and the survey link.

A member reaches them logged in, or through the card + PIN lookup session (an unclaimed
card has no account): both identify who may see a ticket. Thin callers of crm.services.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic
from oscar.core.loading import get_model

from crm import services
from crm.forms import MessageForm, SatisfactionForm, SurveyForm, TicketForm
from crm.models import Ticket
from loyalty.card_views import _lookup_card

Order = get_model("order", "Order")


def _member(request):
    """(user, card) of whoever is asking: a logged-in customer, or an open card lookup."""
    user = request.user if request.user.is_authenticated else None
    card = None if user else _lookup_card(request)
    if user is None and card is None:
        return None, None
    return user, card


def _tickets_of(user, card):
    if user is not None:
        return Ticket.objects.filter(Q(customer=user) | Q(card__user=user))
    return Ticket.objects.filter(card=card)


def _base_template(user) -> str:
    return "crm/support/account_base.html" if user is not None else "crm/support/card_base.html"


def _login_or_lookup(request):
    return redirect(f"{reverse('customer:login')}?next={request.path}")


class TicketListView(generic.View):
    def get(self, request):
        user, card = _member(request)
        if user is None and card is None:
            return _login_or_lookup(request)
        return render(
            request,
            "crm/support/ticket_list.html",
            {
                "base_template": _base_template(user),
                "page_title": _("Support"),
                "tickets": _tickets_of(user, card).select_related("category"),
            },
        )


class TicketCreateView(generic.View):
    template_name = "crm/support/ticket_form.html"

    def _orders(self, user):
        if user is None:
            return []
        return list(Order.objects.filter(user=user).order_by("-date_placed")[:30])

    def _render(self, request, user, form):
        return render(
            request,
            self.template_name,
            {
                "base_template": _base_template(user),
                "page_title": _("File a complaint"),
                "form": form,
            },
        )

    def get(self, request):
        user, card = _member(request)
        if user is None and card is None:
            return _login_or_lookup(request)
        return self._render(request, user, TicketForm(orders=self._orders(user)))

    def post(self, request):
        user, card = _member(request)
        if user is None and card is None:
            return _login_or_lookup(request)
        form = TicketForm(request.POST, request.FILES, orders=self._orders(user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    category_id=data["category"].pk,
                    subject=data["subject"],
                    body=data["body"],
                    customer=user,
                    card=card,
                    order_id=int(data["order"]) if data["order"] else None,
                    photo=data["photo"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Thank you: we answer within %(hours)s hour.",
                        "Thank you: we answer within %(hours)s hours.",
                        ticket.category.first_reply_hours,
                    )
                    % {"hours": ticket.category.first_reply_hours},
                )
                return redirect("crm-support:ticket", pk=ticket.pk)
        return self._render(request, user, form)


class TicketDetailView(generic.View):
    template_name = "crm/support/ticket_detail.html"

    def _ticket(self, request, pk):
        user, card = _member(request)
        if user is None and card is None:
            return None, None
        ticket = get_object_or_404(_tickets_of(user, card).select_related("category"), pk=pk)
        return user, ticket

    def _render(self, request, user, ticket, message_form=None, satisfaction_form=None):
        return render(
            request,
            self.template_name,
            {
                "base_template": _base_template(user),
                "page_title": ticket.subject,
                "ticket": ticket,
                "thread": ticket.messages.all(),
                "message_form": message_form or MessageForm(),
                "satisfaction_form": satisfaction_form or SatisfactionForm(),
            },
        )

    def get(self, request, pk):
        user, ticket = self._ticket(request, pk)
        if ticket is None:
            return _login_or_lookup(request)
        return self._render(request, user, ticket)

    def post(self, request, pk):
        user, ticket = self._ticket(request, pk)
        if ticket is None:
            raise PermissionDenied
        if "satisfaction" in request.POST:
            form = SatisfactionForm(request.POST)
            if form.is_valid():
                try:
                    services.ticket_close(
                        ticket_id=ticket.pk, satisfaction=form.cleaned_data["satisfaction"]
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    messages.success(request, _("Thank you for your answer."))
                    return redirect("crm-support:ticket", pk=ticket.pk)
            return self._render(request, user, ticket, satisfaction_form=form)
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.ticket_member_reply(
                    ticket_id=ticket.pk, author=user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("crm-support:ticket", pk=ticket.pk)
        return self._render(request, user, ticket, message_form=form)


class SurveyAnswerView(generic.View):
    template_name = "crm/support/survey.html"

    def _invitation(self, token):
        try:
            return services.survey_invitation_from_token(token=token), None
        except ValidationError as error:
            return None, error.messages[0]

    def get(self, request, token):
        invitation, error = self._invitation(token)
        return render(
            request,
            self.template_name,
            {"invitation": invitation, "error": error, "form": SurveyForm()},
        )

    def post(self, request, token):
        invitation, error = self._invitation(token)
        form = SurveyForm(request.POST)
        if invitation is not None and form.is_valid():
            try:
                services.survey_answer(
                    invitation_id=invitation.pk,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                return render(request, self.template_name, {"invitation": invitation, "done": True})
        return render(
            request,
            self.template_name,
            {"invitation": invitation, "error": error, "form": form},
            status=400,
        )


def ticket_photo(request, pk):
    """The photo of a ticket, only to its member or staff who may see tickets."""
    ticket = get_object_or_404(Ticket, pk=pk)
    user, card = _member(request)
    allowed = request.user.has_perm("crm.view_ticket") or (
        (user or card) and _tickets_of(user, card).filter(pk=pk).exists()
    )
    if not allowed:
        raise PermissionDenied
    if not ticket.photo:
        raise Http404
    return FileResponse(ticket.photo.open("rb"))
