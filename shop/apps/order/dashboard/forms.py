from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class OrderRefundForm(forms.Form):
    """Refund an amount, or quantities of lines (one ``line_<id>`` field per order line).

    Each line also has a "Return to stock" box (``restock_<id>``), off by default here: an
    online order's goods are with the customer (or lost in delivery) when the operator refunds
    it, so only the operator who has the goods back in hand says they are sellable. The till
    ticks it by default, because there the goods are handed back across the counter.

    A till sale paid in cash is paid back from a till drawer: ``drawer_shifts`` (the open
    shifts) adds the choice of whose drawer pays it out.
    """

    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(
        self,
        *args,
        order,
        line_refundable: dict[int, int],
        drawer_shifts=None,
        drawer_initial=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.order = order
        self.line_field_names = {}
        self.restock_field_names = {}
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
            restock = f"restock_{line.pk}"
            self.fields[restock] = forms.BooleanField(
                label=_("Return to stock"), required=False, initial=False
            )
            self.restock_field_names[restock] = line.pk
        if drawer_shifts is not None:
            # Each open shift is named by its own label (Shift.__str__).
            self.fields["drawer_shift"] = forms.ModelChoiceField(
                label=_("Cash paid out of the drawer of"),
                queryset=drawer_shifts,
                initial=drawer_initial,
                empty_label=_("Choose an open till shift"),
                error_messages={
                    "required": _("Choose the open till shift whose drawer pays the cash back.")
                    if drawer_shifts.exists()
                    else _(
                        "No till shift is open: cash is paid back from a till drawer, so "
                        "a shift must be opened at a till first."
                    )
                },
            )

    def line_rows(self):
        """(quantity field, "return to stock" field) per order line, for the template."""
        by_line = {line_id: name for name, line_id in self.restock_field_names.items()}
        return [
            (self[name], self[by_line[line_id]]) for name, line_id in self.line_field_names.items()
        ]

    def line_quantities(self) -> dict[int, int]:
        return {
            line_id: self.cleaned_data[name]
            for name, line_id in self.line_field_names.items()
            if self.cleaned_data.get(name)
        }

    def restock_quantities(self) -> dict[int, int]:
        """The refunded quantity of every line whose goods go back to stock."""
        quantities = self.line_quantities()
        return {
            line_id: quantities[line_id]
            for name, line_id in self.restock_field_names.items()
            if self.cleaned_data.get(name) and line_id in quantities
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("amount") and self.line_quantities():
            raise forms.ValidationError(_("Refund either lines or an amount, not both."))
        if not cleaned.get("amount") and not self.line_quantities():
            raise forms.ValidationError(_("Enter an amount or the lines to refund."))
        unrefunded = [
            self.fields[f"line_{line_id}"].label
            for name, line_id in self.restock_field_names.items()
            if cleaned.get(name) and line_id not in self.line_quantities()
        ]
        if unrefunded:
            raise forms.ValidationError(
                _("Goods go back to stock with the quantity refunded: enter how many of %(lines)s.")
                % {"lines": ", ".join(f"“{title}”" for title in unrefunded)}
            )
        return cleaned
