from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from till import selectors
from till.models import Register, RotaPost


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
    next_cashier = forms.ModelChoiceField(
        label=_("Hand the drawer over to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody: the till closes"),
        help_text=_("The next cashier's shift opens at once with the counted cash as its float."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_cashier"].queryset = selectors.cashiers_available(exclude_user=user)


class RotaAssignmentForm(forms.Form):
    post = forms.ModelChoiceField(label=_("Post"), queryset=RotaPost.objects.all())
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .order_by("username"),
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
