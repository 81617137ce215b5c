"""Operators' and cashiers' pre-order screens: thin callers of preorders.services/selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic

from core.messages import messages_add_errors
from preorders import selectors, services
from preorders.dashboard import forms
from preorders.models import Preorder, PreorderSettings


def _release_now(request, settings_id: int) -> None:
    """Release the product today and say what happened to each of its pre-orders."""
    summary = services.preorder_product_release_now(
        settings_id=settings_id, released_by=request.user
    )
    released, failed, waiting = len(summary.released), len(summary.failed), len(summary.waiting)
    if released:
        messages.success(
            request,
            ngettext(
                "Released %(n)s pre-order: charged, its order is paid and the customer emailed.",
                "Released %(n)s pre-orders: charged, their orders are paid and the customers "
                "emailed.",
                released,
            )
            % {"n": released},
        )
    if failed:
        messages.error(
            request,
            ngettext(
                "%(n)s card was refused: the customer was emailed a link to pay.",
                "%(n)s cards were refused: the customers were emailed a link to pay.",
                failed,
            )
            % {"n": failed},
        )
    if waiting:
        messages.warning(
            request,
            ngettext(
                "%(n)s pre-order could not be charged now (the payment service did not answer); "
                "the daily run tries again.",
                "%(n)s pre-orders could not be charged now (the payment service did not "
                "answer); the daily run tries again.",
                waiting,
            )
            % {"n": waiting},
        )
    if not (released or failed or waiting):
        messages.info(request, _("Released today; no pre-order was waiting to be charged."))


class ReportView(generic.TemplateView):
    """Per pre-order product: reserved, charged, failed, cancelled, revenue."""

    template_name = "preorders/dashboard/report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.preorder_report()
        return ctx


class ProductView(generic.DetailView):
    template_name = "preorders/dashboard/product.html"
    model = PreorderSettings
    context_object_name = "settings"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["preorders"] = selectors.preorders_for_settings(settings_id=self.object.pk)
        ctx["remaining"] = selectors.preorder_units_remaining(settings=self.object)
        ctx["released"] = selectors.preorder_product_released(settings=self.object)
        ctx["date_form"] = forms.DateMoveForm(initial={"release_date": self.object.release_date})
        ctx["reason_form"] = forms.ReasonForm()
        return ctx


def _settings_kwargs(data: dict) -> dict:
    return {
        name: data[name]
        for name in (
            "release_date",
            "cap",
            "payment_policy",
            "collect_in_store",
            "pickup_days",
            "no_show_fee",
            "payment_grace_days",
            "few_left_threshold",
            "is_active",
        )
    }


class SettingsCreateView(generic.FormView):
    template_name = "preorders/dashboard/form.html"
    form_class = forms.SettingsCreateForm

    def form_valid(self, form):
        try:
            settings = services.preorder_settings_save(
                product=form.cleaned_data["product"],
                changed_by=self.request.user,
                **_settings_kwargs(form.cleaned_data),
            )
        except ValidationError as exc:
            messages_add_errors(self.request, errors=exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(product)s now takes pre-orders.") % {"product": settings.product}
        )
        return redirect("preorders-product", pk=settings.pk)


class SettingsEditView(generic.FormView):
    template_name = "preorders/dashboard/form.html"
    form_class = forms.SettingsForm

    def dispatch(self, request, *args, **kwargs):
        self.settings = get_object_or_404(
            PreorderSettings.objects.select_related("product"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        s = self.settings
        return {
            "release_date": s.release_date,
            "cap": s.cap,
            "payment_policy": s.payment_policy,
            "collect_in_store": s.collect_in_store,
            "pickup_days": s.pickup_days,
            "no_show_fee": s.no_show_fee,
            "payment_grace_days": s.payment_grace_days,
            "few_left_threshold": s.few_left_threshold,
            "is_active": s.is_active,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(settings=self.settings, **kwargs)

    def form_valid(self, form):
        try:
            services.preorder_settings_save(
                product=self.settings.product,
                changed_by=self.request.user,
                **_settings_kwargs(form.cleaned_data),
            )
        except ValidationError as exc:
            messages_add_errors(self.request, errors=exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Pre-order settings saved."))
        release_date = form.cleaned_data["release_date"]
        if release_date == timezone.localdate() and release_date != self.settings.release_date:
            # Moved to today: released now, as from the product page.
            _release_now(self.request, self.settings.pk)
        return redirect("preorders-product", pk=self.settings.pk)


class DateMoveView(generic.View):
    def post(self, request, pk):
        form = forms.DateMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a valid date."))
            return redirect("preorders-product", pk=pk)
        release_date = form.cleaned_data["release_date"]
        try:
            emailed = services.preorder_release_date_move(
                settings_id=pk, release_date=release_date, moved_by=request.user
            )
        except ValidationError as exc:
            messages_add_errors(request, errors=exc)
            return redirect("preorders-product", pk=pk)
        if release_date == timezone.localdate():
            # Today means now: the release follows at once, as "Release now" does.
            _release_now(request, pk)
        else:
            messages.success(
                request,
                ngettext(
                    "Release date moved; %(n)s customer emailed.",
                    "Release date moved; %(n)s customers emailed.",
                    emailed,
                )
                % {"n": emailed},
            )
        return redirect("preorders-product", pk=pk)


class ReleaseNowView(generic.View):
    """Release a pre-order product today: the same release the daily run does."""

    def post(self, request, pk):
        get_object_or_404(PreorderSettings, pk=pk)
        _release_now(request, pk)
        return redirect("preorders-product", pk=pk)


class CancelAllView(generic.View):
    def post(self, request, pk):
        form = forms.ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason: it is sent to the customers."))
            return redirect("preorders-product", pk=pk)
        cancelled = services.preorder_product_cancel_all(
            settings_id=pk, reason=form.cleaned_data["reason"], cancelled_by=request.user
        )
        messages.success(
            request,
            ngettext(
                "%(n)s pre-order cancelled (voided or refunded).",
                "%(n)s pre-orders cancelled (voided or refunded).",
                cancelled,
            )
            % {"n": cancelled},
        )
        return redirect("preorders-product", pk=pk)


class CancelView(generic.View):
    def post(self, request, pk):
        preorder = get_object_or_404(Preorder, pk=pk)
        form = forms.ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason: it is sent to the customer."))
        else:
            try:
                services.preorder_cancel(
                    preorder_id=preorder.pk,
                    reason=form.cleaned_data["reason"],
                    cancelled_by=request.user,
                )
            except ValidationError as exc:
                messages_add_errors(request, errors=exc)
            else:
                messages.success(
                    request,
                    _("Pre-order %(number)s cancelled.") % {"number": preorder.order_number},
                )
        return redirect("preorders-product", pk=preorder.settings_id)


class HandOverView(generic.TemplateView):
    """Cashiers: find a member's released pre-orders by card number and hand them over."""

    template_name = "preorders/dashboard/hand_over.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = forms.CardNumberForm(self.request.GET or None)
        ctx["form"] = form
        if form.is_bound and form.is_valid():
            user_ids = selectors.preorder_user_ids_for_card_number(
                number=form.cleaned_data["card_number"]
            )
            ctx["searched"] = True
            ctx["preorders"] = (
                selectors.preorders_to_hand_over(user_ids=user_ids) if user_ids else []
            )
        return ctx

    def post(self, request):
        raw_id = request.POST.get("preorder", "")
        # Not a number is "no such pre-order", not a 500.
        if not (raw_id.isascii() and raw_id.isdigit()):
            raise Http404
        preorder = get_object_or_404(Preorder, pk=int(raw_id))
        try:
            services.preorder_hand_over(preorder_id=preorder.pk, handed_over_by=request.user)
        except ValidationError as exc:
            messages_add_errors(request, errors=exc)
        else:
            messages.success(
                request, _("Pre-order %(number)s handed over.") % {"number": preorder.order_number}
            )
        return redirect(
            reverse("preorders-handover")
            + "?"
            + urlencode({"card_number": request.POST.get("card_number", "")})
        )
