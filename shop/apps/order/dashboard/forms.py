from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class OrderRefundForm(forms.Form):
    """Refund an amount, or quantities of lines (one ``line_<id>`` field per order line)."""

    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, order, line_refundable: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.line_field_names = {}
        for line in order.lines.all():
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=line.title,
                required=False,
                min_value=0,
                max_value=line_refundable.get(line.pk, 0),
                initial=0,
            )
            self.line_field_names[name] = line.pk

    def line_quantities(self) -> dict[int, int]:
        return {
            line_id: self.cleaned_data[name]
            for name, line_id in self.line_field_names.items()
            if self.cleaned_data.get(name)
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("amount") and self.line_quantities():
            raise forms.ValidationError(_("Refund either lines or an amount, not both."))
        if not cleaned.get("amount") and not self.line_quantities():
            raise forms.ValidationError(_("Enter an amount or the lines to refund."))
        return cleaned
