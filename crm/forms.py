from django import forms
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from crm.models import ContactLogEntry, ListEntry, TicketCategory


class TicketForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=TicketCategory.objects.all(), label=_("What is it about?")
    )
    order = forms.ChoiceField(label=_("Order (optional)"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    photo = forms.FileField(
        label=_("Photo (optional, JPEG/PNG/WebP, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", "-")] + [
            (
                str(order.pk),
                f"{order.number} ({formats.date_format(localtime(order.date_placed), 'SHORT_DATE_FORMAT')})",
            )
            for order in orders
        ]


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))


class SatisfactionForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled it?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend the campus store to a friend?"),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ----------------------------------------------------------------------- staff (Wagtail)


class ContactLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactLogEntry.Kind.choices)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class StaffReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply to the member"), widget=forms.Textarea(attrs={"rows": 4}))
    resolve = forms.BooleanField(label=_("This reply resolves the complaint"), required=False)


class ListEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=ListEntry.Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    expires_at = forms.DateTimeField(
        label=_("Expires (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class MergeForm(forms.Form):
    merge_user_id = forms.IntegerField(label=_("Customer id to merge into this one"), min_value=1)
    confirm = forms.BooleanField(
        label=_("I checked that both accounts are the same person"), required=True
    )


class ReportWindowForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("month", _("Month")), ("week", _("Week")), ("day", _("Day"))],
    )
