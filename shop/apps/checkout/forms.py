from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

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


class CampusDeliveryForm(forms.Form):
    """Where on campus and in which round: building and room instead of a postal address."""

    building = forms.CharField(
        label=_("Building"),
        max_length=255,
        help_text=_("Dormitory, office building or lab, e.g. “Dormitory 3”."),
    )
    room = forms.CharField(label=_("Room"), max_length=64)
    phone_number = PhoneNumberField(
        label=_("Phone number"),
        region="CN",
        required=False,
        help_text=_("So the courier can call if nobody answers."),
    )
    notes = forms.CharField(
        label=_("Notes for the courier"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    delivery_round = forms.ChoiceField(
        label=_("Delivery round"), widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, rounds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # (shipping method code, label) of each round still open.
        self.fields["delivery_round"].choices = rounds
