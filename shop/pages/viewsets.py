"""Wagtail chooser modals for Oscar's products and categories.

Marketing picks Oscar objects from inside the page editor through Wagtail's generic
``ChooserViewSet`` instead of snippets: the catalogue stays owned (and edited) by Oscar's
dashboard, Wagtail only needs to point at it. The viewsets are registered in
``wagtail_hooks.py`` and give ``blocks.py`` its chooser blocks via ``get_block_class()``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

Product = get_model("catalogue", "Product")


class TitleSearchFilterForm(BaseFilterForm):
    """A plain ``icontains`` search: Oscar's models are not in Wagtail's search index."""

    search_fields: tuple[str, ...] = ()

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        search_query = (self.cleaned_data.get("q") or "").strip()
        if search_query:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": search_query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = search_query
        return objects


class ProductSearchFilterForm(TitleSearchFilterForm):
    search_fields = ("title", "upc")


class CategorySearchFilterForm(TitleSearchFilterForm):
    search_fields = ("name",)


class ProductChooseViewMixin:
    filter_form_class = ProductSearchFilterForm
    ordering = ("title", "pk")

    def get_object_list(self):
        # Only standalone products can be sold straight from a card (parents need a variant
        # choice, children are shown through their parent), so only those are offered.
        return Product.objects.filter(structure=Product.STANDALONE)


class ProductChooseView(ProductChooseViewMixin, ChooseView):
    pass


class ProductChooseResultsView(ProductChooseViewMixin, ChooseResultsView):
    pass


class CategoryChooseViewMixin:
    filter_form_class = CategorySearchFilterForm
    # Tree order, so a parent category is listed just above its children.
    ordering = ("path",)


class CategoryChooseView(CategoryChooseViewMixin, ChooseView):
    pass


class CategoryChooseResultsView(CategoryChooseViewMixin, ChooseResultsView):
    pass


class ChooserWidgetIgnoringMalformedIds(BaseChooser):
    """Wagtail's chooser widget, minus its 500 on a posted id that is not a number.

    When a form comes back with errors the widget looks the posted value up again to show
    it; Wagtail catches only DoesNotExist, so "abc" or "NaN" in a hand-made POST would crash the
    re-rendered form. The form field itself refuses the value with "Select a valid choice"; the
    widget just shows nothing chosen.
    """

    def get_instance(self, value):
        try:
            return super().get_instance(value)
        except (ValueError, TypeError, ValidationError):
            return None


class ProductChooserViewSet(ChooserViewSet):
    model = "catalogue.Product"
    base_widget_class = ChooserWidgetIgnoringMalformedIds
    icon = "tag"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView


class CategoryChooserViewSet(ChooserViewSet):
    model = "catalogue.Category"
    base_widget_class = ChooserWidgetIgnoringMalformedIds
    icon = "folder-open-inverse"
    choose_one_text = _("Choose a category")
    choose_another_text = _("Choose another category")
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView


product_chooser_viewset = ProductChooserViewSet("product_chooser")
category_chooser_viewset = CategoryChooserViewSet("category_chooser")
