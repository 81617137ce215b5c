from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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


class PointsRedemptionForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points to use"),
        min_value=0,
        error_messages={
            "invalid": _("Enter a whole number of points."),
            "required": _("Enter how many points to use."),
            "min_value": _("Enter a number of points of 0 or more."),
        },
        widget=forms.NumberInput(attrs={"step": 1, "min": 0, "inputmode": "numeric"}),
    )


class CardPinChangeForm(forms.Form):
    pin = forms.CharField(
        label=_("Current PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    new_pin = forms.CharField(
        label=_("New PIN"),
        max_length=8,
        help_text=_("4 to 8 digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    new_pin_again = forms.CharField(
        label=_("New PIN again"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_pin") != cleaned.get("new_pin_again"):
            raise ValidationError(_("The two new PINs do not match."))
        return cleaned


class CardPinResetRequestForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class CardPinResetForm(forms.Form):
    new_pin = CardPinChangeForm.base_fields["new_pin"]
    new_pin_again = CardPinChangeForm.base_fields["new_pin_again"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_pin") != cleaned.get("new_pin_again"):
            raise ValidationError(_("The two new PINs do not match."))
        return cleaned


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReferralCodeForm(forms.Form):
    code = forms.CharField(label=_("Referral code of the member who invited you"), max_length=16)
