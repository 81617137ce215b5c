from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from loyalty import services


class WalletTopUpForm(forms.Form):
    preset = forms.TypedChoiceField(
        label=_("Amount"),
        required=False,
        coerce=Decimal,
        empty_value=None,
        choices=[(str(amount), str(amount)) for amount in services.WALLET_TOP_UP_PRESETS]
        + [("", _("Other amount"))],
        widget=forms.RadioSelect,
    )
    custom_amount = forms.DecimalField(
        label=_("Other amount"), required=False, max_digits=10, decimal_places=2
    )
    payment_method_id = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    # A one-off token rendered into the form: a double submit reuses the idempotency key.
    request_token = forms.UUIDField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("preset") or cleaned.get("custom_amount")
        try:
            cleaned["amount"] = services.wallet_top_up_amount_validate(amount=amount)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class CardPinForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class CardHistoryFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError(_("The start date must not be after the end date."))
        return cleaned
