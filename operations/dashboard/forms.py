from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from operations.models import AcademicCalendarPeriod, PurchaseOrder, Supplier

StockRecord = get_model("partner", "StockRecord")
Range = get_model("offer", "Range")


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = [
            "name",
            "code",
            "contact_name",
            "email",
            "phone",
            "rating",
            "lead_time_days",
            "review_period_days",
            "settlement_terms",
            "payment_days",
            "commission_percent",
            "is_active",
            "notes",
        ]


class SupplierProductForm(forms.Form):
    stockrecord = forms.ModelChoiceField(
        label=_("Product (stock record)"),
        queryset=StockRecord.objects.select_related("product").order_by("product__title"),
    )
    supplier_sku = forms.CharField(label=_("Supplier SKU"), required=False, max_length=128)
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), min_value=0, max_digits=12, decimal_places=2
    )
    pack_size = forms.IntegerField(label=_("Pack size"), min_value=1, initial=1)
    lead_time_days = forms.IntegerField(
        label=_("Lead time override (days)"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the supplier's."),
    )
    is_preferred = forms.BooleanField(label=_("Preferred supplier"), required=False, initial=True)


class SupplierPaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=12, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=timezone.localdate)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=128)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput, required=False)


class CalendarPeriodForm(forms.ModelForm):
    class Meta:
        model = AcademicCalendarPeriod
        fields = ["name", "kind", "starts_on", "ends_on", "demand_factor"]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}


class StockSearchForm(forms.Form):
    q = forms.CharField(label=_("Product title, UPC or SKU"), required=False)
    frozen_only = forms.BooleanField(label=_("Frozen only"), required=False)


class StockCountForm(forms.Form):
    counted_quantity = forms.IntegerField(label=_("Counted on the shelf"), min_value=0)
    note = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("Mandatory: why the count differs (damaged, expired, miscounted, found)."),
    )


class StockFreezeForm(forms.Form):
    frozen = forms.BooleanField(label=_("Frozen (not for sale)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("frozen") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the product is frozen."))
        return data


class PurchaseOrderLinesForm(forms.Form):
    """One integer field per purchase-order line (quantity to order or to receive)."""

    def __init__(self, *args, purchase_order: PurchaseOrder, receiving: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(purchase_order.lines.select_related("stockrecord__product"))
        for line in self.lines:
            if receiving:
                field = forms.IntegerField(
                    label=str(line.stockrecord.product),
                    min_value=0,
                    max_value=line.quantity_outstanding,
                    initial=line.quantity_outstanding,
                )
            else:
                field = forms.IntegerField(
                    label=str(line.stockrecord.product), min_value=0, initial=line.quantity_ordered
                )
            field.widget.attrs.update(
                {"class": "form-control", "style": "max-width: 8em", "aria-label": field.label}
            )
            self.fields[f"line_{line.pk}"] = field

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"line_{line.pk}"] for line in self.lines}

    def field_for(self, line):
        return self[f"line_{line.pk}"]


class PeriodForm(forms.Form):
    REPORTS = [
        ("takings", _("Daily takings by payment method")),
        ("margin", _("Gross margin by category")),
        ("stock_value", _("Stock value")),
        ("best_sellers", _("Best sellers")),
        ("worst_sellers", _("Worst sellers")),
        ("slow_movers", _("Slow movers")),
    ]
    report = forms.ChoiceField(label=_("Report"), choices=REPORTS, initial="takings")
    start = forms.DateField(label=_("From"), widget=DateInput, required=False)
    end = forms.DateField(label=_("To"), widget=DateInput, required=False)
    idle_days = forms.IntegerField(
        label=_("Idle for (days)"), min_value=1, initial=30, required=False
    )

    def period(self) -> tuple:
        end = self.cleaned_data.get("end") or timezone.localdate()
        start = self.cleaned_data.get("start") or end - timedelta(days=29)
        return start, end

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period must end on or after its start."))
        return data


class MemberPromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    range = forms.ModelChoiceField(
        label=_("Products (range)"), queryset=Range.objects.order_by("name")
    )
    percent = forms.DecimalField(
        label=_("Discount (%)"), min_value=0.01, max_value=100, decimal_places=2
    )
    per_member_quantity = forms.IntegerField(
        label=_("Discounted units per member"),
        min_value=1,
        help_text=_("Over the whole promotion, across all of the member's orders."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
