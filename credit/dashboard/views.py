"""Credit controllers' dashboard views: thin callers of credit.services and credit.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from core.csv_export import csv_response
from core.messages import messages_add_errors
from credit import selectors, services
from credit.dashboard import forms
from credit.models import CreditAccount, Invoice, OrderApproval, WriteOff


class AccountListView(generic.ListView):
    template_name = "credit/dashboard/account_list.html"
    context_object_name = "accounts"
    queryset = CreditAccount.objects.all()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ctx["rows"] = [
            (
                account,
                selectors.credit_account_available(account=account),
                selectors.credit_account_overdue(account_id=account.pk, today=today),
            )
            for account in ctx["accounts"]
        ]
        return ctx


class AccountCreateView(generic.FormView):
    template_name = "credit/dashboard/form.html"
    form_class = forms.AccountCreateForm
    extra_context = {"title": gettext_lazy("New credit account")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            account = services.credit_account_create(
                name=data["name"],
                kind=data["kind"],
                billing_email=data["billing_email"],
                credit_limit=data["credit_limit"],
                payment_term_days=data["payment_term_days"],
                holder=data["holder_email"],
                head_name=data["head_name"],
                head_email=data["head_email"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Credit account opened."))
        return redirect("credit-account-detail", pk=account.pk)


class AccountDetailView(generic.DetailView):
    template_name = "credit/dashboard/account_detail.html"
    context_object_name = "account"
    model = CreditAccount

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        account = self.object
        today = timezone.localdate()
        history = selectors.credit_payment_history(account_id=account.pk, today=today)
        ctx.update(
            available=selectors.credit_account_available(account=account),
            overdue=selectors.credit_account_overdue(account_id=account.pk, today=today),
            history=history,
            invoices=account.invoices.select_related("order")[:100],
            ledger=selectors.credit_ledger_lines(account_id=account.pk),
            decisions=account.decisions.select_related("actor", "order")[:100],
            approvals=account.approvals.filter(status=OrderApproval.Status.PENDING).select_related(
                "order"
            ),
            limit_form=forms.LimitForm(
                initial={
                    "credit_limit": account.credit_limit,
                    "payment_term_days": account.payment_term_days,
                    "grade": account.grade,
                }
            ),
            status_form=forms.StatusForm(),
            payment_form=forms.PaymentForm(),
            write_off_form=forms.WriteOffRequestForm(),
        )
        return ctx


class AccountLimitView(generic.View):
    def post(self, request, pk):
        account = get_object_or_404(CreditAccount, pk=pk)
        form = forms.LimitForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
        else:
            try:
                services.credit_limit_set(
                    account_id=account.pk, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("Limit and terms saved."))
            except (ValidationError, PermissionDenied) as error:
                messages_add_errors(request, errors=error)
        return redirect("credit-account-detail", pk=account.pk)


class AccountStatusView(generic.View):
    def post(self, request, pk):
        account = get_object_or_404(CreditAccount, pk=pk)
        form = forms.StatusForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
            return redirect("credit-account-detail", pk=account.pk)
        data, user = form.cleaned_data, request.user
        action = data["action"]
        try:
            if action == "hold":
                services.credit_account_hold(
                    account_id=account.pk, reason=data["reason"], actor=user
                )
            elif action == "release":
                services.credit_account_release(
                    account_id=account.pk, reason=data["reason"], actor=user
                )
            elif action == "freeze_leaver":
                services.credit_account_freeze_leaver(
                    account_id=account.pk, reason=data["reason"], actor=user
                )
            elif action == "add_buyer":
                services.credit_buyer_add(account_id=account.pk, user=data["buyer"], actor=user)
            elif action == "remove_buyer":
                services.credit_buyer_remove(account_id=account.pk, user=data["buyer"], actor=user)
            else:
                services.credit_grade_review(account_id=account.pk, actor=user, note=data["reason"])
            messages.success(request, _("Account updated."))
        except (ValidationError, PermissionDenied) as error:
            messages_add_errors(request, errors=error)
        return redirect("credit-account-detail", pk=account.pk)


class PaymentCreateView(generic.View):
    def post(self, request, pk):
        account = get_object_or_404(CreditAccount, pk=pk)
        form = forms.PaymentForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
        else:
            try:
                services.credit_payment_record(
                    account_id=account.pk, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("Payment recorded and matched to the oldest invoices."))
            except ValidationError as error:
                messages_add_errors(request, errors=error)
        return redirect("credit-account-detail", pk=account.pk)


class WriteOffRequestView(generic.View):
    def post(self, request, pk):
        invoice = get_object_or_404(Invoice, pk=pk)
        form = forms.WriteOffRequestForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
        else:
            try:
                services.write_off_request(
                    invoice_id=invoice.pk, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("Write-off requested: a manager must approve it."))
            except ValidationError as error:
                messages_add_errors(request, errors=error)
        return redirect("credit-account-detail", pk=invoice.account_id)


class ApprovalListView(generic.ListView):
    template_name = "credit/dashboard/approval_list.html"
    context_object_name = "approvals"

    def get_queryset(self):
        return OrderApproval.objects.filter(status=OrderApproval.Status.PENDING).select_related(
            "account", "order__user"
        )


class ApprovalDecideView(generic.View):
    def post(self, request, pk):
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
            return redirect("credit-approval-list")
        try:
            if form.cleaned_data["action"] == "approve":
                invoice = services.onaccount_order_approve(
                    approval_id=pk, approver=request.user, note=form.cleaned_data["note"]
                )
                messages.success(
                    request, _("Approved: invoice %(number)s issued.") % {"number": invoice.number}
                )
            else:
                services.onaccount_order_refuse(
                    approval_id=pk, approver=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Order refused and cancelled."))
        except (ValidationError, PermissionDenied) as error:
            messages_add_errors(request, errors=error)
        return redirect("credit-approval-list")


class WriteOffListView(generic.ListView):
    template_name = "credit/dashboard/write_off_list.html"
    context_object_name = "write_offs"
    queryset = WriteOff.objects.select_related("invoice__account", "requested_by", "decided_by")[
        :200
    ]


class WriteOffDecideView(generic.View):
    def post(self, request, pk):
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            messages_add_errors(request, errors=form.errors)
            return redirect("credit-writeoff-list")
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        try:
            if action == "approve":
                services.write_off_approve(write_off_id=pk, manager=request.user)
            elif action == "reverse":
                services.write_off_reverse(write_off_id=pk, manager=request.user, reason=note)
            else:
                services.write_off_reject(write_off_id=pk, manager=request.user, reason=note)
            messages.success(request, _("Write-off updated."))
        except (ValidationError, PermissionDenied) as error:
            messages_add_errors(request, errors=error)
        return redirect("credit-writeoff-list")


class AgingView(generic.TemplateView):
    """AR aging as of a day; ``?format=csv`` downloads it."""

    template_name = "credit/dashboard/aging.html"

    def get(self, request, *args, **kwargs):
        form = forms.AsOfForm(request.GET or None)
        as_of = (
            form.cleaned_data.get("as_of") if form.is_valid() else None
        ) or timezone.localdate()
        rows, total = selectors.ar_aging(as_of=as_of)
        buckets = [(key, label) for key, label, *_rest in selectors.AGING_BUCKETS]
        if request.GET.get("format") == "csv":
            return csv_response(
                filename=f"ar_aging_{as_of}.csv",
                header=[_("Account")] + [label for _key, label in buckets] + [_("Total")],
                rows=[
                    [row.account.name] + [row.buckets[k] for k, _l in buckets] + [row.total]
                    for row in rows
                ]
                + [[_("Total")] + [total.buckets[k] for k, _l in buckets] + [total.total]],
            )
        table = [(row, [row.buckets[k] for k, _l in buckets]) for row in rows]
        return self.render_to_response(
            self.get_context_data(
                form=form,
                as_of=as_of,
                buckets=buckets,
                table=table,
                total=total,
                total_cells=[total.buckets[k] for k, _l in buckets],
                csv_query=request.GET.urlencode(),
            )
        )


class BalanceReportView(generic.TemplateView):
    """Opening, charged, paid, credited, written off, closing per month; ``?format=csv``."""

    template_name = "credit/dashboard/balance_report.html"

    def get(self, request, *args, **kwargs):
        form = forms.MonthRangeForm(request.GET or None)
        first, last = form.months()
        months = selectors.ar_balance_report(first_month=first, last_month=last)
        if request.GET.get("format") == "csv":
            return csv_response(
                filename=f"ar_balance_{first:%Y-%m}_{last:%Y-%m}.csv",
                header=[
                    _("Month"),
                    _("Opening"),
                    _("Charged"),
                    _("Paid"),
                    _("Credited"),
                    _("Written off"),
                    _("Closing"),
                    _("Change on previous month"),
                ],
                rows=[
                    [
                        f"{m.month:%Y-%m}",
                        m.opening,
                        m.charged,
                        m.paid,
                        m.credited,
                        m.written_off,
                        m.closing,
                        "" if m.change is None else m.change,
                    ]
                    for m in months
                ],
            )
        return self.render_to_response(
            self.get_context_data(form=form, months=months, csv_query=request.GET.urlencode())
        )


class StatementView(generic.TemplateView):
    """A monthly statement of one account, printable; ``?format=csv`` downloads it."""

    template_name = "credit/dashboard/statement.html"

    def get(self, request, pk, *args, **kwargs):
        account = get_object_or_404(CreditAccount, pk=pk)
        form = forms.MonthForm(request.GET or None)
        month = (
            form.cleaned_data.get("month") if form.is_valid() else None
        ) or timezone.localdate()
        statement = selectors.credit_statement(account_id=account.pk, month=month)
        if request.GET.get("format") == "csv":
            rows = [["", _("Opening balance"), "", statement.opening]]
            rows += [
                [
                    line.entry.entry_date,
                    line.entry.get_kind_display(),
                    line.entry.amount,
                    line.balance,
                ]
                for line in statement.lines
            ]
            rows.append(["", _("Closing balance"), "", statement.closing])
            return csv_response(
                filename=f"statement_{account.pk}_{statement.month:%Y-%m}.csv",
                header=[_("Date"), _("Entry"), _("Amount"), _("Balance")],
                rows=rows,
            )
        return self.render_to_response(
            self.get_context_data(
                form=form, account=account, statement=statement, csv_query=request.GET.urlencode()
            )
        )
