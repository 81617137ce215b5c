from django import forms
from django.utils.translation import gettext_lazy as _

from shop.apps.payment import stripe_gateway


class PaymentDetailsForm(forms.Form):
    """How the shopper pays. There is deliberately no amount field: the server computes it."""

    # Filled in by Stripe.js in the browser: the card itself never reaches our server.
    payment_method_id = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    use_wallet = forms.BooleanField(required=False, label=_("Pay with my campus-card balance"))
    # Issue 9 (credit): the department credit account to charge instead ("pay on account").
    credit_account = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_payment_method_id(self) -> str:
        value = self.cleaned_data["payment_method_id"].strip()
        if value and not stripe_gateway.is_payment_method_id(value):
            raise forms.ValidationError(
                _("The card details could not be read. Please enter them again.")
            )
        return value


class PlaceOrderForm(PaymentDetailsForm):
    """The preview page's "place order" post: what the shopper saw, to compare with now."""

    basket_fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)
    order_total = forms.DecimalField(max_digits=12, decimal_places=2, widget=forms.HiddenInput)
