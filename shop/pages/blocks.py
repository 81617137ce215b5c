"""StreamField blocks for the home page and content pages.

Each block has its own template under ``templates/pages/blocks/`` and a preview (value,
template, description) for the block picker in the page editor.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from recommendations.blocks import BuyItAgainBlock, RecommendedForYouBlock
from shop.apps.shipping.blocks import DeliveryTermsBlock
from shop.pages.selectors import ProductListSpec, product_list_get
from shop.pages.viewsets import category_chooser_viewset, product_chooser_viewset

Product = get_model("catalogue", "Product")

PREVIEW_TEMPLATE = "pages/blocks/preview.html"

ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="shop.pages.blocks"
)
CategoryChooserBlock = category_chooser_viewset.get_block_class(
    name="CategoryChooserBlock", module_path="shop.pages.blocks"
)

# Buttons often point into Oscar's storefront (/catalogue/, /offers/), which are not Wagtail
# pages, so a site path is as welcome as a full URL.
link_url_validator = RegexValidator(
    regex=r"^(/|https?://)\S*$",
    message=_("Enter a path on this site (starting with /) or a full http(s) URL."),
)


class PromoValue(blocks.StructValue):
    @cached_property
    def button_href(self) -> str:
        page = self.get("button_page")
        if page is not None:
            return page.url
        return self.get("button_url") or ""


class PromoBlock(blocks.StructBlock):
    headline = blocks.CharBlock(max_length=120, label=_("Headline"))
    text = blocks.TextBlock(required=False, label=_("Text"))
    image = ImageChooserBlock(required=False, label=_("Image"))
    button_label = blocks.CharBlock(required=False, max_length=40, label=_("Button label"))
    button_page = blocks.PageChooserBlock(
        required=False,
        label=_("Button links to a page"),
    )
    button_url = blocks.CharBlock(
        required=False,
        max_length=255,
        validators=[link_url_validator],
        label=_("…or to a URL"),
        help_text=_("A path on this site such as /catalogue/, or a full URL."),
    )

    def clean(self, value):
        value = super().clean(value)
        has_target = value.get("button_page") is not None or bool(value.get("button_url"))
        errors = {}
        if value.get("button_page") is not None and value.get("button_url"):
            errors["button_url"] = ValidationError(_("Choose a page or enter a URL, not both."))
        elif value.get("button_label") and not has_target:
            errors["button_page"] = ValidationError(_("A button needs a page or a URL to link to."))
        elif has_target and not value.get("button_label"):
            errors["button_label"] = ValidationError(_("Give the button a label."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value

    class Meta:
        icon = "pick"
        label = _("Promo banner")
        value_class = PromoValue
        template = "pages/blocks/promo_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "headline": _("Fresh bread every morning"),
            "text": _("Baked on campus by the catering students, on the shelf by 8 a.m."),
            "button_label": _("Browse the store"),
            "button_url": "/catalogue/",
        }
        description = _(
            "A wide banner with a headline, a short text, an optional image and a button."
        )


class RichTextSectionBlock(blocks.RichTextBlock):
    class Meta:
        icon = "doc-full"
        label = _("Text")
        features = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]
        template = "pages/blocks/rich_text_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = (
            "<h2>Opening hours</h2><p>Monday to Friday 7:30–21:00, weekends 9:00–18:00.</p>"
        )
        description = _("Formatted text with headings, lists and links.")


# The list's grid (templates/pages/blocks/product_list_block.html) has two cards in a row on
# phones and tablets and four from large screens: a multiple of four fills every row at every
# width, so a longer list is cut to whole rows rather than end in a hole.
CARDS_PER_ROW = 4


def product_cards_in_full_rows(products: list) -> list:
    """The products a list shows: all of one row, else as many whole rows as there are."""
    if len(products) <= CARDS_PER_ROW:
        return products
    return products[: len(products) - len(products) % CARDS_PER_ROW]


class ProductListValue(blocks.StructValue):
    @cached_property
    def spec(self) -> ProductListSpec:
        category = self.get("category")
        if category is not None:
            return ProductListSpec(category_id=category.pk, limit=self.get("limit") or 4)
        return ProductListSpec(
            product_ids=tuple(product.pk for product in self.get("products") or () if product),
            limit=self.get("limit") or 4,
        )


class ProductListBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=80, label=_("Title"))
    products = blocks.ListBlock(
        ProductChooserBlock(),
        # Start empty: ListBlock's default is one blank chooser, which would block saving a
        # list that uses a category instead.
        default=[],
        label=_("Products"),
        help_text=_("Pick products by hand, in the order they should appear…"),
    )
    category = CategoryChooserBlock(
        required=False,
        label=_("…or a category"),
        help_text=_("…or show the newest products of a category and its sub-categories."),
    )
    limit = blocks.IntegerBlock(default=4, min_value=1, max_value=12, label=_("Show at most"))

    def clean(self, value):
        value = super().clean(value)
        has_products = any(value.get("products") or ())
        has_category = value.get("category") is not None
        if has_products == has_category:
            raise blocks.StructBlockValidationError(
                non_block_errors=[_("Pick some products or a category (one of the two).")]
            )
        return value

    def product_list_spec(self, value, *, request):
        """What this block lists; pages resolve every block's spec together."""
        return value.spec

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        context["products"] = product_cards_in_full_rows(
            product_list_get(
                spec=self.product_list_spec(value, request=request),
                resolved=context.get("product_lists"),
                request=request,
            )
        )
        return context

    def get_preview_value(self):
        # The picker shows real cards, so the preview uses a few of the store's own products.
        sample = list(
            Product.objects.browsable().filter(structure=Product.STANDALONE).order_by("pk")[:8]
        )
        return self.normalize(
            {"title": _("This week's picks"), "products": sample, "category": None, "limit": 4}
        )

    class Meta:
        icon = "list-ul"
        label = _("Product list")
        value_class = ProductListValue
        template = "pages/blocks/product_list_block.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "Product cards with price and an add-to-basket button, from hand-picked products "
            "or from a category. Sold-out and hidden products are left out automatically."
        )


class PageBodyBlock(blocks.StreamBlock):
    promo = PromoBlock()
    rich_text = RichTextSectionBlock()
    product_list = ProductListBlock()
    recommended_for_you = RecommendedForYouBlock()  # from the recommendations app
    buy_it_again = BuyItAgainBlock()  # from the recommendations app
    delivery_terms = DeliveryTermsBlock()  # the numbers of Settings → Delivery and pick-up
