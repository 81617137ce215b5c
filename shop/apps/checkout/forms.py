from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import forms as oscar_forms
from oscar.apps.customer.utils import normalise_email
from phonenumber_field.formfields import PhoneNumberField

from loyalty.backends import looks_like_card_number
from shop.apps.customer.forms import CardSignInErrorsMixin
from shop.apps.payment import stripe_gateway


class GatewayForm(CardSignInErrorsMixin, oscar_forms.GatewayForm):
    """Checkout's "who are you?": a returning member signs in with card number + PIN too.

    The same ``authenticate()`` as the login page (``loyalty.backends.MemberCardBackend``
    behind the login throttle), so wrong PINs here count towards the same locks. A guest or a
    new account is still given by email address: a card number is only a way to sign in.
    """

    username = forms.CharField(
        label=_("My email address or member card number is"),
        max_length=254,
        help_text=_("Members: the 16 digits on your card, with or without spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    CHOICES = (
        oscar_forms.GatewayForm.CHOICES[0],
        oscar_forms.GatewayForm.CHOICES[1],
        (
            oscar_forms.GatewayForm.EXISTING,
            _("I am a returning customer, and my password (or my card's PIN) is"),
        ),
    )
    options = forms.ChoiceField(
        widget=forms.widgets.RadioSelect, choices=CHOICES, initial=oscar_forms.GatewayForm.GUEST
    )

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        if looks_like_card_number(value):
            return value
        validate_email(value)
        return normalise_email(value)

    def clean(self):
        choice = self.cleaned_data.get("options")
        if choice != self.EXISTING and looks_like_card_number(self.cleaned_data.get("username")):
            self.add_error(
                "username",
                _(
                    "To check out with your member card, choose “returning customer” and "
                    "enter the card's PIN. A guest or a new account needs an email address."
                ),
            )
        return super().clean()


class PaymentDetailsForm(forms.Form):
    """How the shopper pays. There is deliberately no amount field: the server computes it."""

    # Filled in by Stripe.js in the browser: the card itself never reaches our server.
    payment_method_id = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    use_wallet = forms.BooleanField(required=False, label=_("Pay with my campus-card balance"))
    # The department credit account to charge instead ("pay on account").
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
