from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.search.forms import SearchForm as OscarSearchForm


class ProductListingForm(forms.Form):
    """The query string of a catalogue, category or search page: words and a sort order.

    Oscar's own ``SearchForm`` is a haystack form tied to a search index; the store lists
    products straight from the database, so it keeps Oscar's field names and sort choices
    (templates and links keep working) without the index.
    """

    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Search"),
                "tabindex": "1",
                "class": "form-control",
            }
        ),
    )
    sort_by = forms.ChoiceField(
        label=_("Sort by"), choices=OscarSearchForm.SORT_BY_CHOICES, required=False
    )
