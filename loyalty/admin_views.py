"""Marketing's member screens in the Wagtail admin: thin views over loyalty's selectors and services.

- ``MemberViewSet`` (a ModelViewSet on MemberCard): the searchable, filterable member list with
  Wagtail's CSV/XLSX export (managers only, every export logged), the member detail (an
  InspectView), the point adjustment form, the card renewal form and the CSV import of cards.
- ``PointsAdjustmentViewSet``: the audit trail of manual adjustments as its own list.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.generic import FormView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, NumberRangeWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from core.csv_export import csv_cell
from loyalty import economy, selectors
from loyalty.models import MemberCard, MemberType, PointsTransaction, Tier
from loyalty.services.card_import import (
    CARDS_IMPORT_COLUMNS,
    CARDS_IMPORT_MAX_BYTES,
    CARDS_IMPORT_MAX_ROWS,
    cards_import_csv,
)
from loyalty.services.cards import card_renew
from loyalty.services.ledger import points_adjust_by_staff
from loyalty.services.member_export import members_export_record
from wallet.selectors import wallet_statement

# CRM's 360° customer profile (a Wagtail admin URL taking the user's id). Where crm is not
# installed the member page shows no link.
CRM_PROFILE_URL_NAME = "crm_customers:profile"
LEDGER_PAGE_SIZE = 25
WALLET_STATEMENT_SIZE = 20
RECENT_ORDERS_SIZE = 10


# --------------------------------------------------------------------------- member list


class MemberFilterSet(WagtailFilterSet):
    member_type = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Member type"),
        queryset=MemberType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    tier = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Tier"),
        queryset=Tier.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Card status"),
        choices=MemberCard.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Replaced cards are only listed when asked for. Active cards past their expiry "
            "date are listed as expired."
        ),
    )
    points = django_filters.RangeFilter(
        label=gettext_lazy("Points balance"), widget=NumberRangeWidget
    )

    class Meta:
        model = MemberCard
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        points = data.get("points")
        return selectors.member_cards_filter(
            queryset=queryset,
            member_type_ids=[t.pk for t in data.get("member_type") or []],
            tier_ids=[t.pk for t in data.get("tier") or []],
            statuses=list(data.get("status") or []),
            points_min=int(points.start) if points and points.start is not None else None,
            points_max=int(points.stop) if points and points.stop is not None else None,
        )


def _member_name(card: MemberCard) -> str:
    return card.user.get_full_name() if card.user_id else ""


def _member_email(card: MemberCard) -> str:
    return card.user.email if card.user_id else ""


def _wallet_balance(card: MemberCard):
    wallet = getattr(card.user, "wallet", None) if card.user_id else None
    return wallet.balance if wallet is not None else None


# Export column -> (heading, value of a card); the list's own queryset feeds it, no extra query.
MEMBER_EXPORT = {
    "number": (gettext_lazy("Card number"), lambda card: card.number),
    "name": (gettext_lazy("Name"), _member_name),
    "email": (gettext_lazy("Email"), _member_email),
    "campus_id": (gettext_lazy("Campus ID"), lambda card: card.campus_id),
    "member_type": (gettext_lazy("Member type"), lambda card: card.member_type.name),
    "tier": (
        gettext_lazy("Tier"),
        lambda card: card.account.tier.name if card.account.tier_id else "",
    ),
    "status": (gettext_lazy("Card status"), lambda card: card.status_shown()),
    "points": (gettext_lazy("Points"), lambda card: card.account.balance),
    "pending": (gettext_lazy("Pending points"), lambda card: card.account.pending_balance),
    "wallet": (gettext_lazy("Wallet balance"), _wallet_balance),
    "issued_on": (gettext_lazy("Issued on"), lambda card: card.issued_on),
    "expires_on": (gettext_lazy("Expires on"), lambda card: card.expires_on),
}


class MemberIndexView(IndexView):
    any_permission_required = ["view"]
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        # Customers type their own names: the export guards them as every CSV of the store does.
        (str, Decimal): {IndexView.FORMAT_CSV: csv_cell},
    }

    def get_base_queryset(self):
        return selectors.member_cards_for_admin()

    @cached_property
    def is_searchable(self):
        return True

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return selectors.member_cards_search(queryset=queryset, query=self.search_query)

    def get_edit_url(self, instance):
        return None

    def get_add_url(self):
        # Cards are issued by card_issue (the till, the import), never by a bare model form.
        return None

    def get_inspect_url(self, instance):
        return reverse(self.inspect_url_name, args=[instance.pk])

    @cached_property
    def show_export_buttons(self):
        return selectors.member_export_allowed(user=self.request.user)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if not selectors.member_export_allowed(user=self.request.user):
            raise PermissionDenied
        filters = {
            key: self.request.GET.getlist(key)
            for key in self.request.GET
            if key not in {"export", self.page_kwarg}
        }
        members_export_record(
            user=self.request.user,
            filters=filters,
            row_count=queryset.count(),
            export_format=spreadsheet_format,
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def to_row_dict(self, item):
        return {field: value(item) for field, (_heading, value) in MEMBER_EXPORT.items()}

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if selectors.cards_import_allowed(user=self.request.user):
            context["header_action_url"] = reverse(MemberViewSet.import_url_name)
            context["header_action_label"] = _("Import cards")
        return context


class MemberDetailView(InspectView):
    any_permission_required = ["view"]
    template_name = "loyalty/admin/member_detail.html"
    page_title = gettext_lazy("Member")

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.member_cards_for_admin(), pk=self.pk)

    def get_fields(self):
        return []

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card = self.object
        account = card.account
        user = card.user
        wallet = getattr(user, "wallet", None) if user is not None else None
        ledger = Paginator(
            selectors.points_history(account_id=account.pk).select_related("created_by"),
            LEDGER_PAGE_SIZE,
        ).get_page(self.request.GET.get("ledger_page"))
        context.update(
            card=card,
            account=account,
            member=user,
            cards=selectors.account_cards(account_id=account.pk),
            wallet=wallet,
            wallet_statement=(
                wallet_statement(wallet_id=wallet.pk, limit=WALLET_STATEMENT_SIZE)
                if wallet is not None
                else []
            ),
            progress=selectors.tier_progress(account=account),
            ledger_page=ledger,
            adjustments=selectors.points_adjustments(account_id=account.pk)[:LEDGER_PAGE_SIZE],
            orders=selectors.account_orders(account_id=account.pk)[:RECENT_ORDERS_SIZE],
            crm_profile_url=crm_profile_url(user=user),
            can_adjust=selectors.points_adjust_allowed(user=self.request.user),
            adjust_form=PointsAdjustForm(),
            adjust_url=reverse(MemberViewSet.adjust_url_name, args=[card.pk]),
            adjustments_url=reverse("loyalty_points_adjustments:index") + f"?card={card.number}",
            card_reason=selectors.card_unusable_reason(card=card),
            can_renew=(
                selectors.card_renew_allowed(user=self.request.user)
                and selectors.card_renewable(card=card)
            ),
            renew_form=CardRenewForm(
                initial={"expires_on": selectors.card_renewal_expiry_default(card=card)}
            ),
            renew_url=reverse(MemberViewSet.renew_url_name, args=[card.pk]),
            renewals=selectors.card_renewals(account_id=account.pk)[:LEDGER_PAGE_SIZE],
        )
        return context


def crm_profile_url(*, user) -> str | None:
    if user is None or not apps.is_installed("crm"):
        return None
    try:
        return reverse(CRM_PROFILE_URL_NAME, args=[user.pk])
    except NoReverseMatch:
        return None


# --------------------------------------------------------------------------- adjustment


class PointsAdjustForm(forms.Form):
    points = forms.IntegerField(
        label=gettext_lazy("Points (+ to add, − to take away)"),
        help_text=gettext_lazy("A negative number takes points away; never below the balance."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("Required: it is shown in the audit trail."),
    )


class MemberCardFormView(WagtailAdminTemplateMixin, FormView):
    """A form of the member page posted to its own URL: POST only in practice, and a refusal
    shows the form again here with the reason. Subclasses say who may (``allowed``)."""

    template_name = "loyalty/admin/member_card_form.html"
    submit_label = ""

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied
        self.card = get_object_or_404(selectors.member_cards_for_admin(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.card.number

    def detail_url(self) -> str:
        return reverse(MemberViewSet.detail_url_name, args=[self.card.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            card=self.card,
            account=self.card.account,
            detail_url=self.detail_url(),
            submit_label=self.submit_label,
        )
        return context


class PointsAdjustView(MemberCardFormView):
    form_class = PointsAdjustForm
    page_title = gettext_lazy("Adjust points")
    header_icon = "pick"
    submit_label = gettext_lazy("Adjust points")

    def allowed(self, user) -> bool:
        return selectors.points_adjust_allowed(user=user)

    def form_valid(self, form):
        try:
            movement = points_adjust_by_staff(
                account_id=self.card.account_id,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                user=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        self.card.account.refresh_from_db()
        messages.success(
            self.request,
            _("%(points)+d points: the balance is now %(balance)s.")
            % {"points": movement.points, "balance": self.card.account.balance},
        )
        return redirect(self.detail_url())


# --------------------------------------------------------------------------- renewal


class CardRenewForm(forms.Form):
    expires_on = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Filled in with the member type's validity; choose another date if needed."
        ),
    )


class CardRenewView(MemberCardFormView):
    form_class = CardRenewForm
    page_title = gettext_lazy("Renew card")
    header_icon = "date"
    submit_label = gettext_lazy("Renew card")

    def allowed(self, user) -> bool:
        return selectors.card_renew_allowed(user=user)

    def form_valid(self, form):
        try:
            renewal = card_renew(
                card_id=self.card.pk,
                renewed_by=self.request.user,
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Card %(number)s renewed: valid until %(date)s.")
            % {
                "number": self.card.number,
                "date": formats.date_format(renewal.expires_on, "SHORT_DATE_FORMAT"),
            },
        )
        return redirect(self.detail_url())


# --------------------------------------------------------------------------- CSV import


class CardsImportForm(forms.Form):
    csv_file = forms.FileField(label=gettext_lazy("CSV file"))

    def clean_csv_file(self):
        # Checked on the upload's size, before form_valid reads the file into memory: the
        # service's own check only runs after the whole file has been read.
        csv_file = self.cleaned_data["csv_file"]
        if csv_file.size > CARDS_IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."), code="csv_too_large")
        return csv_file


class CardsImportView(WagtailAdminTemplateMixin, FormView):
    form_class = CardsImportForm
    template_name = "loyalty/admin/cards_import.html"
    page_title = gettext_lazy("Import member cards")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not selectors.cards_import_allowed(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=CARDS_IMPORT_COLUMNS,
            member_types=MemberType.objects.order_by("code"),
            max_rows=CARDS_IMPORT_MAX_ROWS,
            index_url=reverse(MemberViewSet.index_url_name_full),
        )
        return context

    def form_valid(self, form):
        dry_run = "import" not in self.request.POST
        result = cards_import_csv(
            content=form.cleaned_data["csv_file"].read(), dry_run=dry_run, user=self.request.user
        )
        if result.ok and not dry_run:
            messages.success(
                self.request,
                ngettext("%(count)s card imported.", "%(count)s cards imported.", len(result.cards))
                % {"count": len(result.cards)},
            )
        return self.render_to_response(self.get_context_data(form=form, result=result))


# --------------------------------------------------------------------------- viewsets


class MemberViewSet(ModelViewSet):
    model = MemberCard
    name = "loyalty_members"
    icon = "group"
    menu_label = gettext_lazy("Members")
    index_view_class = MemberIndexView
    inspect_view_class = MemberDetailView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = MemberFilterSet
    list_per_page = 50
    search_backend_name = None
    # Wagtail's export of the filtered list (the view computes the values, MEMBER_EXPORT).
    list_export = list(MEMBER_EXPORT)
    export_headings = {field: heading for field, (heading, _value) in MEMBER_EXPORT.items()}
    export_filename = "members"

    detail_url_name = "loyalty_members:inspect"
    adjust_url_name = "loyalty_members:adjust"
    renew_url_name = "loyalty_members:renew"
    import_url_name = "loyalty_members:import"
    index_url_name_full = "loyalty_members:index"

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "number",
                label=gettext_lazy("Card number"),
                sort_key="number",
                get_url=lambda card: reverse(self.detail_url_name, args=[card.pk]),
            ),
            Column("name", label=gettext_lazy("Name"), accessor=_member_name),
            Column("member_type", label=gettext_lazy("Type"), sort_key="member_type__name"),
            Column("tier", label=gettext_lazy("Tier"), accessor="account.tier"),
            Column("status", label=gettext_lazy("Status"), accessor="get_status_shown_display"),
            Column(
                "points",
                label=gettext_lazy("Points"),
                accessor="account.balance",
                sort_key="account__balance",
            ),
            Column(
                "pending",
                label=pgettext_lazy("points not spendable yet", "Pending"),
                accessor="account.pending_balance",
                sort_key="account__pending_balance",
            ),
            Column("wallet", label=gettext_lazy("Wallet"), accessor=_wallet_balance),
        ]

    @property
    def url_finder_class(self):
        # Cards have no edit view: Wagtail's own listings that link to "edit" a card (a member
        # type's usage page) link to the member page instead of failing to reverse.
        return type(
            "MemberAdminURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.detail_url_name}
        )

    def get_permissions_to_register(self):
        # Cards are never edited or deleted here: seeing members, importing cards, renewing
        # them (``change_membercard``).
        return Permission.objects.filter(
            content_type__app_label="loyalty",
            codename__in=["view_membercard", "add_membercard", "change_membercard"],
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/adjust/", PointsAdjustView.as_view(), name="adjust"),
            path("<int:pk>/renew/", CardRenewView.as_view(), name="renew"),
            path("import/", CardsImportView.as_view(), name="import"),
        ]


class AdjustmentFilterSet(WagtailFilterSet):
    card = django_filters.CharFilter(label=gettext_lazy("Card number"), method="filter_card")
    created_by = django_filters.CharFilter(
        label=gettext_lazy("Adjusted by (username)"),
        field_name="created_by__username",
        lookup_expr="iexact",
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )
    direction = django_filters.ChoiceFilter(
        label=gettext_lazy("Direction"),
        choices=[("added", gettext_lazy("Points added")), ("taken", gettext_lazy("Points taken"))],
        method="filter_direction",
    )

    class Meta:
        model = PointsTransaction
        fields = []

    def filter_card(self, queryset, name, value):
        number = economy.card_number_normalize(number=value)
        return queryset.filter(account__cards__number=number) if number else queryset

    def filter_direction(self, queryset, name, value):
        return queryset.filter(points__gt=0) if value == "added" else queryset.filter(points__lt=0)


def _adjustment_card(movement: PointsTransaction) -> MemberCard | None:
    """The member's card in play, else their newest (cards are prefetched with the list)."""
    cards = sorted(
        movement.account.cards.all(),
        key=lambda c: (c.status != MemberCard.Status.REPLACED, c.issued_on, c.pk),
    )
    return cards[-1] if cards else None


def _adjustment_card_number(movement: PointsTransaction) -> str:
    card = _adjustment_card(movement)
    return card.number if card else ""


def _adjustment_member_url(movement: PointsTransaction) -> str | None:
    card = _adjustment_card(movement)
    return reverse(MemberViewSet.detail_url_name, args=[card.pk]) if card else None


class AdjustmentIndexView(IndexView):
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return selectors.points_adjustments().prefetch_related("account__cards")

    def get_edit_url(self, instance):
        return None

    def get_add_url(self):
        # Adjustments are made from a member's page (points_adjust_by_staff), never here.
        return None


class PointsAdjustmentViewSet(ModelViewSet):
    model = PointsTransaction
    name = "loyalty_points_adjustments"
    icon = "history"
    menu_label = gettext_lazy("Point adjustments")
    index_view_class = AdjustmentIndexView
    filterset_class = AdjustmentFilterSet
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50
    list_display = [
        DateColumn("created_at", label=gettext_lazy("When"), sort_key="created_at"),
        TitleColumn(
            "card",
            label=gettext_lazy("Card"),
            accessor=_adjustment_card_number,
            get_url=_adjustment_member_url,
        ),
        Column("points", label=gettext_lazy("Points"), sort_key="points"),
        Column("reason", label=gettext_lazy("Reason")),
        Column("created_by", label=gettext_lazy("By"), sort_key="created_by__username"),
    ]

    def get_permissions_to_register(self):
        # The ledger is append-only: the only right to give here is to read it.
        return Permission.objects.filter(
            content_type__app_label="loyalty", codename="view_pointstransaction"
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
