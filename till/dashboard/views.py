"""Till dashboard views: thin callers of till.services and till.selectors.

The sale in progress travels in the form (hidden product/quantity fields), so a plain form
post works without JavaScript; each post also leaves a copy in the cashier's session, keyed by
their open shift, so the till page shows it again after the cashier looked at Shifts or the
shift report. A session rather than a draft row: the sale is one browser's and one shift's
work, is never read by anybody else, touches no stock or ledger until it is paid, and a
handover (another cashier logs in) starts a new session. Paying or voiding the sale clears
it. A barcode scanner types digits and Enter, which submits the scan field like a keyboard
does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from core.messages import messages_add_errors
from staff.selectors import staff_name
from till import selectors, services
from till.dashboard import forms
from till.models import RotaAssignment, TillSale

Product = get_model("catalogue", "Product")


# --------------------------------------------------------------------------- the till


def _posted_lines(post) -> tuple[list[services.TillLineInput], list[str]]:
    """The sale in progress from the form; same product twice becomes one line."""
    errors = []
    quantities: dict[int, int] = {}
    for product_id, quantity in zip(
        post.getlist("line_product"), post.getlist("line_quantity"), strict=False
    ):
        try:
            product_id, quantity = int(product_id), int(quantity)
        except ValueError:
            errors.append(_("Quantities must be whole numbers of at least 1."))
            continue
        if quantity < 1:
            continue  # a quantity set to 0 removes the line
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    lines = [services.TillLineInput(product_id=pk, quantity=q) for pk, q in quantities.items()]
    return lines, errors


def _line_add(lines: list[services.TillLineInput], product_id: int) -> list:
    for index, line in enumerate(lines):
        if line.product_id == product_id:
            lines[index] = services.TillLineInput(product_id=product_id, quantity=line.quantity + 1)
            return lines
    return [*lines, services.TillLineInput(product_id=product_id, quantity=1)]


SALE_DRAFT_SESSION_KEY = "till_sale_draft"


def _draft_save(request, *, shift_id: int, card_number: str, lines) -> None:
    request.session[SALE_DRAFT_SESSION_KEY] = {
        "shift": shift_id,
        "card_number": card_number,
        "lines": [[line.product_id, line.quantity] for line in lines],
    }


def _draft_load(request, *, shift_id: int) -> tuple[str, list[services.TillLineInput]]:
    """(card number, lines) of the sale this cashier left on the till in this shift."""
    draft = request.session.get(SALE_DRAFT_SESSION_KEY) or {}
    if draft.get("shift") != shift_id:
        return "", []
    lines = [
        services.TillLineInput(product_id=product_id, quantity=quantity)
        for product_id, quantity in draft.get("lines", [])
    ]
    return draft.get("card_number", ""), lines


def _draft_clear(request) -> None:
    request.session.pop(SALE_DRAFT_SESSION_KEY, None)


class TillSaleView(generic.TemplateView):
    template_name = "till/dashboard/till.html"

    def dispatch(self, request, *args, **kwargs):
        self.shift = selectors.shift_open_for_cashier(cashier=request.user)
        if self.shift is None:
            messages.info(request, _("Open a shift at a till before ringing up sales."))
            return redirect("till-shift-open")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        card_number, lines = _draft_load(request, shift_id=self.shift.pk)
        return self.render_to_response(self.get_context_data(card_number=card_number, lines=lines))

    def post(self, request, *args, **kwargs):
        post = request.POST
        action = post.get("action") or "scan"
        card_number = post.get("card_number", "").strip()
        lines, errors = _posted_lines(post)
        choices = []
        if action == "new":
            _draft_clear(request)
            return redirect("till-sale")
        if action.startswith("add:"):
            product_id = action.split(":", 1)[1]
            if product_id.isdigit():
                lines = _line_add(lines, int(product_id))
        elif action.startswith("remove:"):
            product_id = action.split(":", 1)[1]
            lines = [line for line in lines if str(line.product_id) != product_id]
        elif action == "scan" and post.get("scan", "").strip():
            query = post["scan"].strip()
            found = selectors.till_products_find(query=query)
            if not found:
                errors.append(_("No product matches “%(query)s”.") % {"query": query})
            elif len(found) == 1:
                lines = _line_add(lines, found[0].pk)
            else:
                choices = found
        elif action in ("pay_wallet", "pay_cash"):
            sale = self._pay(action=action, card_number=card_number, lines=lines, errors=errors)
            if sale is not None:
                _draft_clear(request)
                return redirect("till-receipt", pk=sale.pk)
        _draft_save(request, shift_id=self.shift.pk, card_number=card_number, lines=lines)
        return self.render_to_response(
            self.get_context_data(
                card_number=card_number,
                lines=lines,
                errors=errors,
                choices=choices,
                cash_tendered=post.get("cash_tendered", ""),
            )
        )

    def _pay(self, *, action, card_number, lines, errors) -> TillSale | None:
        if errors:
            return None
        cash_tendered = None
        if action == "pay_cash":
            try:
                cash_tendered = Decimal(self.request.POST.get("cash_tendered", "").strip())
            except InvalidOperation:
                errors.append(_("Enter the cash the customer handed over."))
                return None
        try:
            return services.till_sale_create(
                cashier=self.request.user,
                shift_id=self.shift.pk,
                card_number=card_number,
                lines=lines,
                payment_method=(
                    TillSale.PaymentMethod.WALLET
                    if action == "pay_wallet"
                    else TillSale.PaymentMethod.CASH
                ),
                cash_tendered=cash_tendered,
            )
        except ValidationError as error:
            errors.extend(error.messages)
            return None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lines = kwargs.get("lines", [])
        card_number = kwargs.get("card_number", "")
        quote, card, quote_errors = services.till_quote_or_errors(
            card_number=card_number, lines=lines
        )
        titles = dict(
            Product.objects.filter(pk__in=[line.product_id for line in lines]).values_list(
                "pk", "title"
            )
        )
        ctx.update(
            shift=self.shift,
            quote=quote,
            card=card,
            # Without a price (bad input), lines still show, so the cashier can fix them.
            plain_lines=[(line, titles.get(line.product_id, "?")) for line in lines],
            errors=[*kwargs.get("errors", []), *quote_errors],
        )
        return ctx


def _sale_for(request, pk) -> TillSale:
    sale = get_object_or_404(TillSale, pk=pk)
    if sale.cashier_id != request.user.pk and not request.user.has_perm("till.change_shift"):
        raise PermissionDenied
    return sale


class ReceiptView(generic.TemplateView):
    template_name = "till/dashboard/receipt.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sale = _sale_for(self.request, kwargs["pk"])
        ctx["receipt"] = selectors.till_receipt(sale_id=sale.pk)
        return ctx


class RefundView(generic.FormView):
    """Refund a till sale: the whole of what is left, or quantities of its lines."""

    template_name = "till/dashboard/refund.html"
    form_class = forms.RefundForm

    def dispatch(self, request, *args, **kwargs):
        self.sale = _sale_for(request, kwargs["pk"])
        self.receipt = selectors.till_receipt(sale_id=self.sale.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "lines": self.receipt.lines,
            "line_refundable": self.receipt.line_refundable,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "receipt": self.receipt}

    def form_valid(self, form):
        whole = self.request.POST.get("action") == "all"
        line_quantities = {} if whole else form.line_quantities()
        if not whole and not line_quantities:
            form.add_error(None, _("Enter how many of which line to refund."))
            return self.form_invalid(form)
        try:
            till_refund = services.till_sale_refund(
                sale_id=self.sale.pk,
                refunded_by=self.request.user,
                line_quantities=line_quantities,
                restock_quantities=form.restock_quantities(whole=whole),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        refund = till_refund.refund
        if refund.cash_amount:
            messages.success(
                self.request,
                _("Refunded %(amount)s: hand %(cash)s in cash back to the customer.")
                % {"amount": currency(refund.amount), "cash": currency(refund.cash_amount)},
            )
        else:
            messages.success(
                self.request,
                _("Refunded %(amount)s to the campus-card wallet.")
                % {"amount": currency(refund.wallet_amount or refund.amount)},
            )
        return redirect("till-receipt", pk=self.sale.pk)


# --------------------------------------------------------------------------- shifts


class ShiftListView(generic.ListView):
    template_name = "till/dashboard/shift_list.html"
    context_object_name = "shifts"
    paginate_by = 30

    def get_queryset(self):
        return selectors.shifts_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["open_shift"] = selectors.shift_open_for_cashier(cashier=self.request.user)
        return ctx


class ShiftOpenView(generic.FormView):
    template_name = "till/dashboard/shift_open.html"
    form_class = forms.ShiftOpenForm

    def dispatch(self, request, *args, **kwargs):
        if selectors.shift_open_for_cashier(cashier=request.user) is not None:
            return redirect("till-sale")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.shift_open(
                register_id=form.cleaned_data["register"].pk,
                cashier=self.request.user,
                opening_float=form.cleaned_data["opening_float"],
            )
        except ValidationError as error:
            messages_add_errors(self.request, errors=error)
            return self.form_invalid(form)
        messages.success(self.request, _("Shift opened."))
        return redirect("till-sale")


class ShiftDetailView(generic.TemplateView):
    template_name = "till/dashboard/shift_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not selectors.shifts_visible_to(user=self.request.user).filter(pk=kwargs["pk"]).exists():
            raise Http404
        ctx["report"] = selectors.shift_report(shift_id=kwargs["pk"])
        return ctx


class ShiftCloseView(generic.FormView):
    template_name = "till/dashboard/shift_close.html"
    form_class = forms.ShiftCloseForm

    def dispatch(self, request, *args, **kwargs):
        self.shift = get_object_or_404(
            selectors.shifts_visible_to(user=request.user), pk=kwargs["pk"]
        )
        if not self.shift.is_open:
            return redirect("till-shift-detail", pk=self.shift.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.shift.cashier, "request": self.request}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["report"] = selectors.shift_report(shift_id=self.shift.pk)
        return ctx

    def form_valid(self, form):
        try:
            services.shift_close(
                shift_id=self.shift.pk,
                closed_by=self.request.user,
                counted_cash=form.cleaned_data["counted_cash"],
                note=form.cleaned_data["note"],
                next_cashier=form.cleaned_data["next_cashier"],
            )
        except ValidationError as error:
            messages_add_errors(self.request, errors=error)
            return self.form_invalid(form)
        next_cashier = form.cleaned_data["next_cashier"]
        if next_cashier is None:
            messages.success(self.request, _("Shift closed. This is the handover report."))
            return redirect("till-shift-detail", pk=self.shift.pk)
        if next_cashier.pk != self.request.user.pk:
            # The next cashier confirmed with their password: the till is theirs now.
            login(self.request, next_cashier, backend=next_cashier.backend)
        messages.success(
            self.request,
            _("%(old)s handed the till over to %(new)s with %(cash)s counted in the drawer.")
            % {
                "old": staff_name(user=self.shift.cashier),
                "new": staff_name(user=next_cashier),
                "cash": currency(form.cleaned_data["counted_cash"]),
            },
        )
        return redirect("till-shift-detail", pk=self.shift.pk)


# --------------------------------------------------------------------------- rota


def _monday_from(request) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return selectors.week_monday(day=day)


class RotaWeekView(generic.TemplateView):
    template_name = "till/dashboard/rota.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        monday = _monday_from(self.request)
        mine = self.request.GET.get("mine") == "1"
        ctx.update(
            week=selectors.rota_week(monday=monday, staff=self.request.user if mine else None),
            mine=mine,
            previous_week=monday - dt.timedelta(days=7),
            next_week=monday + dt.timedelta(days=7),
            can_edit=self.request.user.has_perm("till.change_rotaassignment"),
        )
        return ctx


class RotaAssignmentCreateView(generic.FormView):
    template_name = "till/dashboard/rota_form.html"
    form_class = forms.RotaAssignmentForm
    assignment_id = None

    def get_initial(self):
        initial = super().get_initial()
        for name in ("day", "post"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            assignment = services.rota_assignment_save(
                assignment_id=self.assignment_id,
                post_id=data["post"].pk,
                staff=data["staff"],
                day=data["day"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data["note"],
            )
        except ValidationError as error:
            messages_add_errors(self.request, errors=error)
            return self.form_invalid(form)
        messages.success(self.request, _("Rota saved."))
        return redirect(f"{reverse('till-rota')}?week={assignment.day.isoformat()}")


class RotaAssignmentUpdateView(RotaAssignmentCreateView):
    def dispatch(self, request, *args, **kwargs):
        self.assignment = get_object_or_404(RotaAssignment, pk=kwargs["pk"])
        self.assignment_id = self.assignment.pk
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        a = self.assignment
        return {
            "post": a.post_id,
            "staff": a.staff_id,
            "day": a.day,
            "starts_at": a.starts_at,
            "ends_at": a.ends_at,
            "note": a.note,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "assignment": self.assignment}


class RotaAssignmentDeleteView(generic.View):
    def post(self, request, pk):
        assignment = get_object_or_404(RotaAssignment, pk=pk)
        services.rota_assignment_delete(assignment_id=assignment.pk)
        messages.success(request, _("Rota slot removed."))
        return redirect(f"{reverse('till-rota')}?week={assignment.day.isoformat()}")


class RotaCopyView(generic.View):
    def post(self, request):
        try:
            monday = selectors.week_monday(day=dt.date.fromisoformat(request.POST.get("week", "")))
        except ValueError:
            messages.error(request, _("Unknown week."))
            return redirect("till-rota")
        target = monday + dt.timedelta(days=7)
        copied = services.rota_week_copy(from_monday=monday, to_monday=target)
        messages.success(
            request,
            ngettext(
                "%(n)s rota slot copied to the next week.",
                "%(n)s rota slots copied to the next week.",
                copied,
            )
            % {"n": copied},
        )
        return redirect(f"{reverse('till-rota')}?week={target.isoformat()}")
