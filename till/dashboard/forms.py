from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.utils.translation import gettext_lazy as _

from staff.selectors import staff_name
from till import selectors
from till.models import Register, RotaPost


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of staff member, listed by name (the username only for an unnamed account)."""

    def label_from_instance(self, obj) -> str:
        return staff_name(user=obj)


class ShiftOpenForm(forms.Form):
    register = forms.ModelChoiceField(
        label=_("Till"), queryset=Register.objects.filter(is_active=True), empty_label=None
    )
    opening_float = forms.DecimalField(
        label=_("Opening float (cash in the drawer)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        initial="200.00",
    )


class ShiftCloseForm(forms.Form):
    counted_cash = forms.DecimalField(
        label=_("Counted cash in the drawer"), max_digits=10, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Handover note"), max_length=255, required=False)
    next_cashier = StaffChoiceField(
        label=_("Hand the drawer over to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody: the till closes"),
        help_text=_("The next cashier's shift opens at once with the counted cash as its float."),
    )

    next_cashier_password = forms.CharField(
        label=_("Next cashier's password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("The next cashier types it to confirm the count and take the till over."),
    )

    def __init__(self, *args, user=None, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["next_cashier"].queryset = selectors.cashiers_available(exclude_user=user)

    def clean(self):
        data = super().clean()
        next_cashier = data.get("next_cashier")
        if next_cashier is None:
            return data
        # Through every login backend, so wrong guesses count towards the same login lock.
        confirmed = authenticate(
            self.request,
            username=next_cashier.get_username(),
            password=data.get("next_cashier_password") or "",
        )
        if confirmed is None or confirmed.pk != next_cashier.pk:
            raise forms.ValidationError(
                _("%(user)s must type their own password to take the till over.")
                % {"user": staff_name(user=next_cashier)},
                code="handover_not_confirmed",
            )
        data["next_cashier"] = confirmed
        return data


class RefundForm(forms.Form):
    """What to refund of a till sale: quantities per line (the whole sale has its own button).

    "Return to stock" is ticked by default: at the till the customer hands the goods back
    across the counter, so the cashier sees them and unticks only what cannot be sold again
    (opened, damaged, out of date).
    """

    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, lines=(), line_refundable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.line_refundable = dict(line_refundable or {})
        for line in self.lines:
            left = self.line_refundable.get(line.pk, 0)
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=line.title, min_value=0, max_value=left, initial=0, required=False
            )
            self.fields[f"restock_{line.pk}"] = forms.BooleanField(
                label=_("Return to stock"), required=False, initial=True
            )

    def line_fields(self):
        return [(line, self[f"line_{line.pk}"], self[f"restock_{line.pk}"]) for line in self.lines]

    def line_quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(f"line_{line.pk}") or 0
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}")
        }

    def restock_quantities(self, *, whole: bool) -> dict[int, int]:
        """Units going back on the shelf: of the lines ticked, what is refunded of each."""
        refunded = self.line_refundable if whole else self.line_quantities()
        return {
            line.pk: refunded[line.pk]
            for line in self.lines
            if self.cleaned_data.get(f"restock_{line.pk}") and refunded.get(line.pk, 0) > 0
        }


class RotaAssignmentForm(forms.Form):
    post = forms.ModelChoiceField(label=_("Post"), queryset=RotaPost.objects.all())
    staff = StaffChoiceField(
        label=_("Staff member"),
        queryset=get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .order_by("username"),
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
