"""Operators' dashboard views: thin callers of operations.services and operations.selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import generic
from oscar.core.loading import get_model

from core.csv_export import csv_response
from core.messages import messages_add_errors
from operations import selectors, services
from operations.dashboard import forms
from operations.models import AcademicCalendarPeriod, PurchaseOrder, ReorderSuggestion, Supplier

StockRecord = get_model("partner", "StockRecord")


# --------------------------------------------------------------------------- reorder


class ReorderListView(generic.TemplateView):
    template_name = "operations/dashboard/reorder_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["groups"] = selectors.reorder_suggestions_by_supplier()
        latest = (
            ReorderSuggestion.objects.order_by("-computed_on")
            .values_list("computed_on", flat=True)
            .first()
        )
        ctx["computed_on"] = latest
        return ctx


class ReorderActionView(generic.View):
    def post(self, request):
        action = request.POST.get("action")
        if action == "refresh":
            need = services.reorder_suggestions_refresh()
            messages.success(
                request,
                ngettext(
                    "Suggestions recomputed: %(n)s product to reorder.",
                    "Suggestions recomputed: %(n)s products to reorder.",
                    need,
                )
                % {"n": need},
            )
            return redirect("operations-reorder")
        if action == "create_pos":
            ids = [int(pk) for pk in request.POST.getlist("stockrecord") if pk.isdigit()]
            if not ids:
                messages.error(request, _("Tick at least one product to order."))
                return redirect("operations-reorder")
            try:
                orders = services.purchase_orders_create_from_suggestions(
                    user=request.user, stockrecord_ids=ids
                )
            except ValidationError as error:
                messages_add_errors(request, errors=error)
                return redirect("operations-reorder")
            messages.success(
                request,
                ngettext(
                    "Draft purchase order ready: %(numbers)s",
                    "Draft purchase orders ready: %(numbers)s",
                    len(orders),
                )
                % {"numbers": ", ".join(o.number for o in orders)},
            )
            if len(orders) == 1:
                return redirect("operations-po-detail", pk=orders[0].pk)
            return redirect("operations-po-list")
        messages.error(request, _("Unknown action."))
        return redirect("operations-reorder")


# --------------------------------------------------------------------------- purchase orders


class PurchaseOrderListView(generic.ListView):
    template_name = "operations/dashboard/purchase_order_list.html"
    context_object_name = "purchase_orders"
    paginate_by = 50

    def get_queryset(self):
        orders = PurchaseOrder.objects.select_related("supplier").prefetch_related("lines")
        status = self.request.GET.get("status")
        if status in PurchaseOrder.Status.values:
            orders = orders.filter(status=status)
        return orders

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = PurchaseOrder.Status.choices
        ctx["current_status"] = self.request.GET.get("status", "")
        return ctx


class PurchaseOrderDetailView(generic.DetailView):
    template_name = "operations/dashboard/purchase_order_detail.html"
    context_object_name = "purchase_order"
    queryset = PurchaseOrder.objects.select_related("supplier", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.object
        ctx["lines"] = order.lines.select_related("stockrecord__product")
        ctx["total"] = sum((line.line_total for line in ctx["lines"]), 0)
        if order.status == PurchaseOrder.Status.DRAFT:
            ctx["lines_form"] = forms.PurchaseOrderLinesForm(purchase_order=order, receiving=False)
        elif order.is_receivable:
            ctx["lines_form"] = forms.PurchaseOrderLinesForm(purchase_order=order, receiving=True)
        form = ctx.get("lines_form")
        ctx["rows"] = [(line, form.field_for(line) if form else None) for line in ctx["lines"]]
        return ctx


class PurchaseOrderPrintView(PurchaseOrderDetailView):
    template_name = "operations/dashboard/purchase_order_print.html"


class PurchaseOrderActionView(generic.View):
    def post(self, request, pk, action):
        order = get_object_or_404(PurchaseOrder, pk=pk)
        try:
            if action == "send":
                services.purchase_order_send(purchase_order_id=order.pk)
                messages.success(
                    request, _("%(number)s marked as sent.") % {"number": order.number}
                )
            elif action == "cancel":
                services.purchase_order_cancel(purchase_order_id=order.pk)
                messages.success(request, _("%(number)s cancelled.") % {"number": order.number})
            elif action in ("update", "receive"):
                form = forms.PurchaseOrderLinesForm(
                    request.POST, purchase_order=order, receiving=action == "receive"
                )
                if not form.is_valid():
                    messages_add_errors(request, errors=form.errors)
                    return redirect("operations-po-detail", pk=order.pk)
                if action == "update":
                    services.purchase_order_update_draft(
                        purchase_order_id=order.pk, quantities=form.quantities()
                    )
                    messages.success(request, _("Quantities saved."))
                else:
                    movements = services.purchase_order_receive(
                        purchase_order_id=order.pk, quantities=form.quantities(), user=request.user
                    )
                    received = sum(m.quantity for m in movements)
                    messages.success(
                        request,
                        ngettext(
                            "Received %(units)s unit; stock updated.",
                            "Received %(units)s units; stock updated.",
                            received,
                        )
                        % {"units": received},
                    )
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            messages_add_errors(request, errors=error)
        return redirect("operations-po-detail", pk=order.pk)


# --------------------------------------------------------------------------- suppliers


class SupplierListView(generic.ListView):
    template_name = "operations/dashboard/supplier_list.html"
    context_object_name = "suppliers"
    model = Supplier


class SupplierCreateView(generic.CreateView):
    template_name = "operations/dashboard/form.html"
    form_class = forms.SupplierForm
    extra_context = {"title": gettext_lazy("New supplier")}

    def get_success_url(self):
        messages.success(self.request, _("Supplier saved."))
        return reverse("operations-supplier-update", args=[self.object.pk])


class SupplierUpdateView(generic.UpdateView):
    template_name = "operations/dashboard/supplier_detail.html"
    form_class = forms.SupplierForm
    model = Supplier
    context_object_name = "supplier"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["supplier_products"] = self.object.products.select_related("stockrecord__product")
        ctx["product_form"] = forms.SupplierProductForm()
        return ctx

    def get_success_url(self):
        messages.success(self.request, _("Supplier saved."))
        return reverse("operations-supplier-update", args=[self.object.pk])


class SupplierProductCreateView(generic.View):
    def post(self, request, pk):
        supplier = get_object_or_404(Supplier, pk=pk)
        form = forms.SupplierProductForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.supplier_product_set(
                    supplier_id=supplier.pk,
                    stockrecord_id=data["stockrecord"].pk,
                    unit_cost=data["unit_cost"],
                    pack_size=data["pack_size"],
                    lead_time_days=data["lead_time_days"],
                    supplier_sku=data["supplier_sku"],
                    is_preferred=data["is_preferred"],
                )
                messages.success(request, _("Product added to the supplier."))
            except ValidationError as error:
                messages_add_errors(request, errors=error)
        else:
            messages_add_errors(request, errors=form.errors)
        return redirect("operations-supplier-update", pk=supplier.pk)


class SupplierStatementView(generic.TemplateView):
    template_name = "operations/dashboard/supplier_statement.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        supplier = get_object_or_404(Supplier, pk=self.kwargs["pk"])
        form = forms.AsOfForm(self.request.GET or None)
        as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
        ctx.update(
            supplier=supplier,
            form=form,
            statement=selectors.supplier_statement(
                supplier_id=supplier.pk, as_of=as_of or timezone.localdate()
            ),
            payment_form=forms.SupplierPaymentForm(),
        )
        return ctx


class SupplierPaymentCreateView(generic.View):
    def post(self, request, pk):
        supplier = get_object_or_404(Supplier, pk=pk)
        form = forms.SupplierPaymentForm(request.POST)
        if form.is_valid():
            try:
                services.supplier_payment_record(
                    supplier_id=supplier.pk, user=request.user, **form.cleaned_data
                )
                messages.success(request, _("Payment recorded."))
            except ValidationError as error:
                messages_add_errors(request, errors=error)
        else:
            messages.error(request, _("Check the payment amount and date."))
        return redirect("operations-supplier-statement", pk=supplier.pk)


# --------------------------------------------------------------------------- stock


class StockListView(generic.ListView):
    template_name = "operations/dashboard/stock_list.html"
    context_object_name = "stockrecords"
    paginate_by = 50

    def get_queryset(self):
        records = StockRecord.objects.select_related("product", "reorder_suggestion").order_by(
            "product__title"
        )
        self.form = forms.StockSearchForm(self.request.GET or None)
        if self.form.is_valid():
            query = self.form.cleaned_data["q"].strip()
            if query:
                records = records.filter(
                    Q(product__title__icontains=query)
                    | Q(product__upc__iexact=query)
                    | Q(partner_sku__iexact=query)
                )
            if self.form.cleaned_data["frozen_only"]:
                records = records.filter(is_frozen=True)
        return records

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        return ctx


class StockDetailView(generic.DetailView):
    template_name = "operations/dashboard/stock_detail.html"
    context_object_name = "stockrecord"
    queryset = StockRecord.objects.select_related("product", "partner", "frozen_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["movements"] = selectors.stock_movements_for(stockrecord_id=self.object.pk)
        ctx["count_form"] = forms.StockCountForm(
            initial={"counted_quantity": self.object.num_in_stock or 0}
        )
        ctx["freeze_form"] = forms.StockFreezeForm(
            initial={"frozen": self.object.is_frozen, "reason": self.object.frozen_reason}
        )
        ctx["suggestion"] = ReorderSuggestion.objects.filter(stockrecord=self.object).first()
        return ctx


class StockCountView(generic.View):
    def post(self, request, pk):
        record = get_object_or_404(StockRecord, pk=pk)
        form = forms.StockCountForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
            return redirect("operations-stock-detail", pk=record.pk)
        try:
            movement = services.stock_count_correct(
                stockrecord_id=record.pk, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages_add_errors(request, errors=error)
        else:
            if movement is None:
                messages.info(request, _("The count matches the stock: nothing changed."))
            else:
                messages.success(
                    request, _("Stock corrected by %(delta)+d.") % {"delta": movement.quantity}
                )
        return redirect("operations-stock-detail", pk=record.pk)


class StockFreezeView(generic.View):
    def post(self, request, pk):
        record = get_object_or_404(StockRecord, pk=pk)
        form = forms.StockFreezeForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
        elif form.cleaned_data["frozen"]:
            services.stockrecord_freeze(
                stockrecord_id=record.pk, reason=form.cleaned_data["reason"], user=request.user
            )
            messages.success(request, _("Sales frozen: the product cannot be bought."))
        else:
            services.stockrecord_unfreeze(stockrecord_id=record.pk)
            messages.success(request, _("Sales resumed."))
        return redirect("operations-stock-detail", pk=record.pk)


# --------------------------------------------------------------------------- academic calendar


class CalendarListView(generic.ListView):
    template_name = "operations/dashboard/calendar_list.html"
    context_object_name = "periods"
    model = AcademicCalendarPeriod


class CalendarSaveMixin:
    template_name = "operations/dashboard/form.html"
    form_class = forms.CalendarPeriodForm
    model = AcademicCalendarPeriod
    success_url = reverse_lazy("operations-calendar-list")

    def form_valid(self, form):
        try:
            self.object = services.calendar_period_save(period=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Calendar period saved."))
        return HttpResponseRedirect(self.get_success_url())


class CalendarCreateView(CalendarSaveMixin, generic.CreateView):
    extra_context = {"title": gettext_lazy("New academic calendar period")}


class CalendarUpdateView(CalendarSaveMixin, generic.UpdateView):
    extra_context = {"title": gettext_lazy("Edit academic calendar period")}


class CalendarDeleteView(generic.DeleteView):
    model = AcademicCalendarPeriod
    template_name = "operations/dashboard/calendar_delete.html"
    success_url = reverse_lazy("operations-calendar-list")


# --------------------------------------------------------------------------- promotions


class MemberPromotionCreateView(generic.FormView):
    template_name = "operations/dashboard/form.html"
    form_class = forms.MemberPromotionForm
    extra_context = {
        "title": gettext_lazy("New member promotion"),
        "intro": gettext_lazy(
            "A percentage discount on a range, limited to a number of discounted units per member "
            "and running between two dates. It appears in Oscar's offers list once created."
        ),
    }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            offer = services.member_promotion_create(
                name=data["name"],
                range_id=data["range"].pk,
                percent=data["percent"],
                per_member_quantity=data["per_member_quantity"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                description=data["description"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Promotion “%(name)s” created.") % {"name": offer.name})
        return redirect("dashboard:offer-detail", pk=offer.pk)


# --------------------------------------------------------------------------- finance


class FinanceReportView(generic.TemplateView):
    """One page, six reports; ``?format=csv`` downloads the report shown."""

    template_name = "operations/dashboard/finance.html"
    # The columns holding money, shown in the store's currency format (the CSV keeps plain
    # numbers for spreadsheets).
    MONEY_COLUMNS = {
        "takings": {3},
        "margin": {2, 3, 4},
        "stock_value": {3},
        "best_sellers": {3},
        "worst_sellers": {3},
        "slow_movers": {5},
    }

    def _build(self, form):
        report = form.cleaned_data.get("report") or "takings"
        start, end = form.period()
        if report == "takings":
            headers = [_("Day"), _("Payment method"), _("Orders"), _("Amount")]
            rows = [
                [r["day"], r["method"], r["orders"], r["amount"]]
                for r in selectors.takings_daily(start=start, end=end)
            ]
        elif report == "margin":
            headers = [
                _("Category"),
                _("Units"),
                _("Revenue (excl. tax)"),
                _("Cost"),
                _("Gross margin"),
                _("Margin %"),
                _("Units without cost price"),
            ]
            rows = [
                [
                    r["category"],
                    r["units"],
                    r["revenue"],
                    r["cost"],
                    r["margin"],
                    r["margin_percent"],
                    r["units_without_cost"],
                ]
                for r in selectors.margin_by_category(start=start, end=end)
            ]
        elif report == "stock_value":
            headers = [
                _("Category"),
                _("Stock records"),
                _("Units on hand"),
                _("Value at cost"),
                _("Units without cost price"),
            ]
            rows = [
                [r["category"], r["records"], r["units"], r["value"], r["units_without_cost"]]
                for r in selectors.stock_value_by_category()
            ]
        elif report in ("best_sellers", "worst_sellers"):
            headers = [_("Product"), _("UPC"), _("Units sold"), _("Revenue")]
            rows = [
                [r["title"], r["upc"], r["units"], r["revenue"]]
                for r in selectors.sellers_ranked(
                    start=start, end=end, worst=report == "worst_sellers"
                )
            ]
        else:
            idle = form.cleaned_data.get("idle_days") or 30
            headers = [
                _("Product"),
                _("SKU"),
                _("On hand"),
                _("Last sold"),
                _("Days idle"),
                _("Value at cost"),
            ]
            rows = [
                [
                    r["product__title"],
                    r["partner_sku"],
                    r["num_in_stock"],
                    r["last_sold"] or "—",
                    r["idle_days"] or "—",
                    r["value"],
                ]
                for r in selectors.slow_movers(as_of=end, idle_days=idle)
            ]
        return report, start, end, headers, rows

    def get(self, request, *args, **kwargs):
        form = forms.PeriodForm(request.GET or {"report": "takings"})
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=None))
        report, start, end, headers, rows = self._build(form)
        if request.GET.get("format") == "csv":
            return csv_response(filename=f"{report}_{start}_{end}.csv", header=headers, rows=rows)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report_label=dict(forms.PeriodForm.REPORTS)[report],
                start=start,
                end=end,
                headers=headers,
                rows=rows,
                money_columns=self.MONEY_COLUMNS.get(report, set()),
                csv_query=request.GET.urlencode(),
            )
        )
