from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from preorders.models import PaymentPolicy

Product = get_model("catalogue", "Product")


class SettingsForm(forms.Form):
    release_date = forms.DateField(
        label=_("Release / ships-by date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    cap = forms.IntegerField(label=_("Pre-order units"), min_value=1)
    payment_policy = forms.ChoiceField(label=_("Payment policy"), choices=PaymentPolicy.choices)
    collect_in_store = forms.BooleanField(label=_("Collected at the campus store"), required=False)
    pickup_days = forms.IntegerField(label=_("Days to collect"), min_value=1, initial=7)
    no_show_fee = forms.DecimalField(
        label=_("No-show fee"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    payment_grace_days = forms.IntegerField(
        label=_("Days to pay after a failed charge"), min_value=0, initial=3
    )
    few_left_threshold = forms.IntegerField(
        label=_("Show remaining units from"), min_value=0, initial=5
    )
    is_active = forms.BooleanField(label=_("Pre-orders open"), required=False, initial=True)


class SettingsCreateForm(SettingsForm):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(
            preorder_settings__isnull=True, structure__in=["standalone", "child"]
        ).order_by("title"),
    )
    field_order = ["product"]


class DateMoveForm(forms.Form):
    release_date = forms.DateField(
        label=_("New release date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the customer)"), max_length=200)


class CardNumberForm(forms.Form):
    card_number = forms.CharField(label=_("Member card number"), max_length=32)
