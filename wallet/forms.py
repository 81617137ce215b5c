from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wallet import services


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
