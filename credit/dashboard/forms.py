from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit.models import CreditAccount, CreditPayment


class AccountCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=CreditAccount.Kind.choices)
    holder_email = forms.EmailField(label=_("Staff member's login email"), required=False)
    billing_email = forms.EmailField(label=_("Billing email"))
    head_name = forms.CharField(label=_("Department head"), max_length=128, required=False)
    head_email = forms.EmailField(label=_("Department head's email"), required=False)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), max_digits=12, decimal_places=2, min_value=0
    )
    payment_term_days = forms.IntegerField(label=_("Payment term (days)"), min_value=0, initial=30)

    def clean_holder_email(self):
        email = self.cleaned_data["holder_email"]
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("No user has this email."))
        return user


class LimitForm(forms.Form):
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), max_digits=12, decimal_places=2, min_value=0
    )
    payment_term_days = forms.IntegerField(label=_("Payment term (days)"), min_value=0)
    grade = forms.ChoiceField(label=_("Credit grade"), choices=CreditAccount.Grade.choices)
    reason = forms.CharField(label=_("Why"), max_length=255)


class StatusForm(forms.Form):
    ACTIONS = [
        ("hold", _("Put on hold")),
        ("release", _("Lift the hold")),
        ("freeze_leaver", _("Freeze and settle (staff member left)")),
        ("add_buyer", _("Add an authorised buyer")),
        ("remove_buyer", _("Remove an authorised buyer")),
        ("grade_reviewed", _("Grade reviewed")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(label=_("Why"), max_length=255, required=False)
    buyer_email = forms.EmailField(label=_("Buyer's login email"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("add_buyer", "remove_buyer"):
            user = (
                get_user_model().objects.filter(email__iexact=data.get("buyer_email") or "").first()
            )
            if user is None:
                raise forms.ValidationError(_("No user has this email."))
            data["buyer"] = user
        return data


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0.01)
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Method"), choices=CreditPayment.Method.choices)
    reference = forms.CharField(label=_("Reference"), max_length=128, required=False)


class WriteOffRequestForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0.01)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("refuse", _("Refuse")),
            ("reject", _("Reject")),
            ("reverse", _("Reverse")),
        ]
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False)


class MonthRangeForm(forms.Form):
    first_month = forms.DateField(
        label=_("From month"), required=False, help_text=_("Any day of the month.")
    )
    last_month = forms.DateField(label=_("To month"), required=False)

    def months(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("last_month") or today
        first = data.get("first_month") or date(
            last.year - (last.month <= 5), (last.month - 6) % 12 + 1, 1
        )
        return first, last


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), required=False, help_text=_("Any day of the month."))
