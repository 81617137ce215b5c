"""Staff screens of the CRM in the Wagtail admin (/cms/): thin callers of selectors/services.

Every view is a Wagtail admin template view (breadcrumbs, header, the admin's look); the
viewsets in wagtail_hooks.py route them and put them in the menu.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.charts import chart_spec
from core.csv_export import csv_response
from core.messages import messages_add_errors
from crm import selectors, services
from crm.forms import (
    ContactLogForm,
    ListEntryForm,
    MergeForm,
    ReportWindowForm,
    StaffReplyForm,
)
from crm.models import PrivacyLog, Ticket
from staff.roles import MARKETING_MANAGERS_GROUP

User = get_user_model()

PROFILE_PERMISSION = "crm.view_customer_profile"
PROFILE_PANELS_HOOK = "crm_profile_panels"


class CrmAdminView(WagtailAdminTemplateMixin, TemplateView):
    permission_required = PROFILE_PERMISSION
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("crm_customers:index"), "label": _("Customers")},
            {"url": "", "label": self.get_page_title()},
        ]


# =========================================================================== customers


class CustomerSearchView(CrmAdminView):
    template_name = "crm/admin/customer_search.html"
    page_title = gettext_lazy("Customers")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        context["query"] = query
        context["customers"] = selectors.customer_search(query=query)
        return context


def profile_panels_render(*, request, user) -> list:
    """HTML of the sections other apps add through the "crm_profile_panels" hook.

    Contract (team.md): each hook function takes (request, user) and returns an object with
    ``render_html(request)`` (e.g. a wagtail.admin.ui.components.Component) or None. A
    failing panel is left out rather than taking the whole profile down.
    """
    panels = []
    for hook in hooks.get_hooks(PROFILE_PANELS_HOOK):
        panel = hook(request, user)
        if panel is not None:
            panels.append(panel.render_html(request))
    return panels


class CustomerProfileView(CrmAdminView):
    template_name = "crm/admin/profile.html"

    def get_page_title(self):
        user = self.customer
        return user.get_full_name() or user.email or user.username

    def dispatch(self, request, *args, **kwargs):
        self.customer = get_object_or_404(User, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return self._export(request)
        return super().get(request, *args, **kwargs)

    def _export(self, request):
        try:
            services.personal_data_export_authorize(
                actor=request.user, what="profile", subject_user_id=self.customer.pk
            )
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        profile = selectors.customer_profile(user_id=self.customer.pk)
        user = profile.user
        rows = [
            (_("Customer id"), user.pk),
            (_("Name"), user.get_full_name()),
            (_("Email"), user.email),
            (_("Joined"), user.date_joined.isoformat()),
            (_("Card"), profile.card.number if profile.card else ""),
            (_("Member type"), profile.card.member_type.name if profile.card else ""),
            (_("Points"), profile.account.balance if profile.account else 0),
            (_("Wallet"), profile.wallet.balance if profile.wallet else Decimal("0.00")),
            (_("Lifetime spend"), profile.lifetime_spend),
            (_("Orders"), profile.lifetime_orders),
        ]
        rows += [(_("Address"), address.summary) for address in profile.addresses]
        rows += [
            (_("Order"), f"{o.number} {o.date_placed:%Y-%m-%d} {o.total_incl_tax}")
            for o in profile.recent_orders
        ]
        return csv_response(
            filename=f"customer-{user.pk}.csv", header=[_("Field"), _("Value")], rows=rows
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            profile=selectors.customer_profile(user_id=self.customer.pk, request=self.request),
            panels=profile_panels_render(request=self.request, user=self.customer),
            contact_form=kwargs.get("contact_form") or ContactLogForm(),
            list_form=kwargs.get("list_form") or ListEntryForm(),
            merge_form=kwargs.get("merge_form")
            or MergeForm(initial={"merge_user_id": self.request.GET.get("merge")}),
            may_merge=self.request.user.has_perm("crm.merge_customers"),
            may_export=self.request.user.has_perm("crm.export_personal_data"),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        handlers = {"contact": self._contact, "list": self._list, "merge": self._merge}
        if action not in handlers:
            return redirect("crm_customers:profile", pk=self.customer.pk)
        return handlers[action](request)

    def _done(self, message: str):
        messages.success(self.request, message)
        return redirect("crm_customers:profile", pk=self.customer.pk)

    def _failed(self, form, error: ValidationError, key: str):
        for text in error.messages:
            form.add_error(None, text)
        return self.render_to_response(self.get_context_data(**{key: form}))

    def _contact(self, request):
        form = ContactLogForm(request.POST)
        if form.is_valid():
            try:
                services.contact_log_add(
                    customer_id=self.customer.pk,
                    kind=form.cleaned_data["kind"],
                    body=form.cleaned_data["body"],
                    created_by=request.user,
                )
            except ValidationError as error:
                return self._failed(form, error, "contact_form")
            return self._done(_("Added to the contact log."))
        return self.render_to_response(self.get_context_data(contact_form=form))

    def _list(self, request):
        form = ListEntryForm(request.POST)
        if form.is_valid():
            try:
                services.list_entry_add(
                    customer_id=self.customer.pk,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    expires_at=form.cleaned_data["expires_at"],
                    created_by=request.user,
                )
            except ValidationError as error:
                return self._failed(form, error, "list_form")
            return self._done(_("The customer was put on the list."))
        return self.render_to_response(self.get_context_data(list_form=form))

    def _merge(self, request):
        if not request.user.has_perm("crm.merge_customers"):
            raise PermissionDenied
        form = MergeForm(request.POST)
        if form.is_valid():
            try:
                result = services.customers_merge(
                    keep_user_id=self.customer.pk,
                    merge_user_id=form.cleaned_data["merge_user_id"],
                    performed_by=request.user,
                )
            except ValidationError as error:
                return self._failed(form, error, "merge_form")
            return self._done(
                ngettext(
                    "Customer %(merged)s merged into this profile (%(points)s point moved).",
                    "Customer %(merged)s merged into this profile (%(points)s points moved).",
                    result.points_moved,
                )
                % {"merged": result.merged_user_id, "points": result.points_moved}
            )
        return self.render_to_response(self.get_context_data(merge_form=form))


class DuplicatesView(CrmAdminView):
    template_name = "crm/admin/duplicates.html"
    page_title = gettext_lazy("Possible duplicates")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = selectors.duplicate_groups()
        users = User.objects.in_bulk({pk for group in groups for pk in group.user_ids})
        context["groups"] = [
            {"group": group, "users": [users[pk] for pk in group.user_ids]} for group in groups
        ]
        context["may_merge"] = self.request.user.has_perm("crm.merge_customers")
        return context


# =========================================================================== tickets


class TicketListView(CrmAdminView):
    template_name = "crm/admin/ticket_list.html"
    page_title = gettext_lazy("Complaints")
    header_icon = "help"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "active")
        tickets = selectors.ticket_queue()
        if status == "active":
            tickets = tickets.exclude(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED])
        elif status == "overdue":
            tickets = tickets.filter(
                first_replied_at__isnull=True, first_reply_due_at__lt=timezone.now()
            ).exclude(status=Ticket.Status.CLOSED)
        elif status in Ticket.Status.values:
            tickets = tickets.filter(status=status)
        tickets = tickets.order_by("first_replied_at", "first_reply_due_at")
        context["page"] = Paginator(tickets, 50).get_page(self.request.GET.get("p"))
        context["status"] = status
        context["statuses"] = [
            ("active", _("Waiting for us")),
            ("overdue", _("Overdue")),
            *Ticket.Status.choices,
            ("all", _("All")),
        ]
        context["now"] = timezone.now()
        return context


class TicketDetailView(CrmAdminView):
    template_name = "crm/admin/ticket_detail.html"
    header_icon = "help"

    def dispatch(self, request, *args, **kwargs):
        self.ticket = get_object_or_404(
            Ticket.objects.select_related("category", "customer", "card", "order", "assigned_to"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Complaint #%(id)s") % {"id": self.ticket.pk}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("crm_tickets:index"), "label": _("Complaints")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            ticket=self.ticket,
            thread=self.ticket.messages.select_related("author"),
            reply_form=kwargs.get("reply_form") or StaffReplyForm(),
            staff=User.objects.filter(
                Q(groups__name=MARKETING_MANAGERS_GROUP) | Q(is_superuser=True),
                is_active=True,
            )
            .distinct()
            .order_by("username"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("crm.change_ticket"):
            raise PermissionDenied
        if "assign" in request.POST:
            raw_assignee = request.POST.get("assignee", "")
            # An empty choice unassigns; anything else must be the id of a user that exists,
            # checked before it reaches a query ("abc" is refused, not a 500).
            assignee = (
                User.objects.filter(pk=int(raw_assignee)).first()
                if raw_assignee.isascii() and raw_assignee.isdigit()
                else None
            )
            if raw_assignee and assignee is None:
                messages.error(request, _("Choose a member of staff from the list."))
                return redirect("crm_tickets:edit", pk=self.ticket.pk)
            try:
                services.ticket_assign(ticket_id=self.ticket.pk, assignee=assignee)
            except ValidationError as error:
                messages_add_errors(request, errors=error)
            return redirect("crm_tickets:edit", pk=self.ticket.pk)
        form = StaffReplyForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["resolve"]:
                    services.ticket_resolve(
                        ticket_id=self.ticket.pk,
                        author=request.user,
                        resolution=form.cleaned_data["body"],
                    )
                else:
                    services.ticket_reply(
                        ticket_id=self.ticket.pk,
                        author=request.user,
                        body=form.cleaned_data["body"],
                    )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            else:
                messages.success(request, _("Reply sent to the member."))
                return redirect("crm_tickets:edit", pk=self.ticket.pk)
        return self.render_to_response(self.get_context_data(reply_form=form))


# =========================================================================== reports


def _window(request) -> tuple[ReportWindowForm, selectors.DateWindow, str]:
    form = ReportWindowForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    window = selectors.report_window(date_from=data.get("date_from"), date_to=data.get("date_to"))
    return form, window, data.get("period") or "month"


def _period_label(row: dict) -> str:
    """A period's name on charts and tables, marked when its figures are not a whole one."""
    if row.get("state") == selectors.PERIOD_SO_FAR:
        return _("%(period)s (so far)") % {"period": row["period"]}
    if row.get("state") == selectors.PERIOD_PARTIAL:
        return _("%(period)s (part)") % {"period": row["period"]}
    return str(row["period"])


REPORTS = {
    "sales": gettext_lazy("Sales"),
    "channels": gettext_lazy("Sales by channel"),
    "member_types": gettext_lazy("Sales by member type"),
    "customers": gettext_lazy("Active members: new and returning"),
    "points": gettext_lazy("Points issued, redeemed and expired"),
    "tiers": gettext_lazy("Tier distribution"),
    "complaints": gettext_lazy("Complaints"),
}


def report_tables(*, window, period: str) -> dict[str, dict]:
    """Every report as a table (header + rows) and a chart; CSV and page share it.

    ``money_columns``: the columns the page shows in the store's currency format (the CSV
    keeps plain numbers for spreadsheets)."""
    sales = selectors.sales_by_period(window=window, period=period)
    channels = selectors.sales_by_channel(window=window)
    member_types = selectors.sales_by_member_type(window=window)
    customers = selectors.new_vs_returning(window=window)
    points = selectors.points_flows(window=window)
    tiers = selectors.tier_distribution()
    complaints = selectors.complaint_kpis(window=window)
    return {
        "sales": {
            "header": [_("Period"), _("Orders"), _("Revenue"), _("Customers")],
            "money_columns": {2},
            "rows": [(_period_label(r), r["orders"], r["revenue"], r["customers"]) for r in sales],
            "chart": chart_spec(
                kind="bar",
                labels=[_period_label(r) for r in sales],
                datasets=[(_("Revenue"), [r["revenue"] for r in sales])],
            ),
        },
        "channels": {
            "header": [_("Channel"), _("Orders"), _("Revenue")],
            "money_columns": {2},
            "rows": [(r["label"], r["orders"], r["revenue"]) for r in channels],
            "chart": chart_spec(
                kind="doughnut",
                labels=[r["label"] for r in channels],
                datasets=[(_("Revenue"), [r["revenue"] for r in channels])],
            ),
        },
        "member_types": {
            "header": [_("Member type"), _("Orders"), _("Revenue")],
            "money_columns": {2},
            "rows": [(r["label"], r["orders"], r["revenue"]) for r in member_types],
            "chart": chart_spec(
                kind="doughnut",
                labels=[r["label"] for r in member_types],
                datasets=[(_("Revenue"), [r["revenue"] for r in member_types])],
            ),
        },
        "customers": {
            "header": [_("Month"), _("Active members"), _("New"), _("Returning")],
            "rows": [(_period_label(r), r["active"], r["new"], r["returning"]) for r in customers],
            "chart": chart_spec(
                kind="bar",
                labels=[_period_label(r) for r in customers],
                datasets=[
                    (_("New"), [r["new"] for r in customers]),
                    (_("Returning"), [r["returning"] for r in customers]),
                ],
                stacked=True,
            ),
        },
        "points": {
            "header": [_("Month"), _("Issued"), _("Redeemed"), _("Expired")],
            "rows": [(_period_label(r), r["issued"], r["redeemed"], r["expired"]) for r in points],
            "chart": chart_spec(
                kind="line",
                labels=[_period_label(r) for r in points],
                datasets=[
                    (_("Issued"), [r["issued"] for r in points]),
                    (_("Redeemed"), [r["redeemed"] for r in points]),
                    (_("Expired"), [r["expired"] for r in points]),
                ],
            ),
        },
        "tiers": {
            "header": [_("Tier"), _("Members")],
            "rows": [(r["label"], r["members"]) for r in tiers],
            "chart": chart_spec(
                kind="bar",
                labels=[r["label"] for r in tiers],
                datasets=[(_("Members"), [r["members"] for r in tiers])],
            ),
        },
        "complaints": {
            "header": [
                _("Month"),
                _("Complaints"),
                _("Per 1,000 orders"),
                _("Mean hours to first reply"),
                _("Late first replies"),
                _("Satisfaction (1-5)"),
            ],
            "rows": [
                (
                    _period_label(r),
                    r["tickets"],
                    r["per_1000_orders"],
                    r["mean_hours_to_first_reply"],
                    r["late"],
                    r["satisfaction"],
                )
                for r in complaints
            ],
            "chart": chart_spec(
                kind="bar",
                labels=[_period_label(r) for r in complaints],
                datasets=[(_("Complaints"), [r["tickets"] for r in complaints])],
            ),
        },
    }


class ReportsView(CrmAdminView):
    template_name = "crm/admin/reports.html"
    page_title = gettext_lazy("CRM reports")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        form, window, period = _window(request)
        tables = report_tables(window=window, period=period)
        export = request.GET.get("export")
        if export in tables:
            # Aggregates hold no personal data, but every export is logged all the same.
            services.privacy_log(
                action=PrivacyLog.Action.EXPORT,
                actor=request.user,
                subject_user_id=None,
                detail={
                    "what": f"report:{export}",
                    "from": str(window.start_date),
                    "to": str(window.end_date),
                },
            )
            return csv_response(
                filename=f"crm-{export}-{window.start_date}-{window.end_date}.csv",
                header=tables[export]["header"],
                rows=tables[export]["rows"],
            )
        context = self.get_context_data(**kwargs)
        context.update(
            form=form,
            window=window,
            period=period,
            reports=[
                {"key": key, "chart_id": f"chart_{key}", "title": REPORTS[key], **table}
                for key, table in tables.items()
            ],
            liability=selectors.points_liability(),
            query=request.GET.urlencode(),
        )
        return self.render_to_response(context)


class KpiView(CrmAdminView):
    template_name = "crm/admin/kpis.html"
    page_title = gettext_lazy("Customer KPIs")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    HEADER = [
        ("period", gettext_lazy("Month")),
        ("buyers", gettext_lazy("Buyers")),
        ("retention_percent", gettext_lazy("Retention %")),
        ("churn_percent", gettext_lazy("Churn %")),
        ("new_members", gettext_lazy("New members")),
        ("members_total", gettext_lazy("Members")),
        ("repeat_purchase_percent", gettext_lazy("Repeat purchase %")),
        ("nps", gettext_lazy("NPS")),
        ("survey_answers", gettext_lazy("Survey answers")),
        ("complaints_per_1000_orders", gettext_lazy("Complaints per 1,000 orders")),
    ]

    def get(self, request, *args, **kwargs):
        form, window, _period = _window(request)
        del form.fields["period"]  # KPIs are monthly
        rows = selectors.kpis_by_month(window=window)
        table_rows = [
            [_period_label(row), *(row[key] for key, _label in self.HEADER[1:])] for row in rows
        ]
        if request.GET.get("export") == "kpis":
            services.privacy_log(
                action=PrivacyLog.Action.EXPORT,
                actor=request.user,
                subject_user_id=None,
                detail={"what": "report:kpis"},
            )
            return csv_response(
                filename=f"crm-kpis-{window.start_date}-{window.end_date}.csv",
                header=[str(label) for _key, label in self.HEADER],
                rows=table_rows,
            )
        labels = [_period_label(row) for row in rows]
        # Rates exist for whole months only (selectors.kpis_by_month): the rate charts end
        # with the last whole month, the member-growth bars show the running one "so far".
        whole = [row for row in rows if row["state"] == selectors.PERIOD_COMPLETE]
        whole_labels = [_period_label(row) for row in whole]
        matrix = selectors.loyalty_value_matrix(rows=selectors.survey_scores_by_value_group())
        group_labels = selectors.value_group_labels()
        context = self.get_context_data(**kwargs)
        context.update(
            form=form,
            window=window,
            header=[label for _key, label in self.HEADER],
            rows=table_rows,
            charts={
                "rates": chart_spec(
                    kind="line",
                    labels=whole_labels,
                    datasets=[
                        (_("Retention %"), [r["retention_percent"] for r in whole]),
                        (_("Churn %"), [r["churn_percent"] for r in whole]),
                        (_("Repeat purchase %"), [r["repeat_purchase_percent"] for r in whole]),
                    ],
                ),
                "growth": chart_spec(
                    kind="bar",
                    labels=labels,
                    datasets=[(_("New members"), [r["new_members"] for r in rows])],
                ),
                "satisfaction": chart_spec(
                    kind="line",
                    labels=whole_labels,
                    datasets=[
                        (_("NPS"), [r["nps"] for r in whole]),
                        (
                            _("Complaints per 1,000 orders"),
                            [r["complaints_per_1000_orders"] for r in whole],
                        ),
                    ],
                ),
            },
            matrix=[
                {"label": group_labels.get(group, group), **cell}
                for group, cell in sorted(matrix.items())
            ],
            query=request.GET.urlencode(),
        )
        return self.render_to_response(context)


class PrivacyLogView(CrmAdminView):
    template_name = "crm/admin/privacy_log.html"
    page_title = gettext_lazy("Privacy log")
    permission_required = "crm.export_personal_data"
    header_icon = "lock"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = Paginator(PrivacyLog.objects.select_related("actor"), 50).get_page(
            self.request.GET.get("p")
        )
        return context
