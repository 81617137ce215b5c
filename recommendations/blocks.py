"""The StreamField blocks of each shopper's own rows, which marketing can place on any page.

"Recommended for you" shows a member the items they never bought that their history points
to ("New for you", each with its reason), and visitors and members without such a list what
is popular right now; "Buy it again" shows a member their own items, most due first, and
nothing at all to visitors and members with no history, so nobody sees an empty row.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from recommendations import selectors
from recommendations.rows import BUY_IT_AGAIN, personal_row_context
from shop.pages.selectors import product_list_get


def _viewer(request):
    # The editor's preview shows the editor's own rows, like a shopper's.
    return getattr(request, "user", None)


class _ShoppersRowBlock(blocks.StructBlock):
    """A row of products picked for whoever views the page, at most ``limit`` of them."""

    title = blocks.CharBlock(required=False, max_length=80, label=_("Title"))
    limit = blocks.IntegerBlock(default=4, min_value=1, max_value=12, label=_("Show at most"))

    def limit_of(self, value) -> int:
        return value.get("limit") or 4


class RecommendedForYouBlock(_ShoppersRowBlock):
    title = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Title"),
        help_text=_('Leave empty for "New for you" (members) and "Popular right now" (visitors).'),
    )

    def product_list_spec(self, value, *, request):
        row = selectors.personal_row(user_id=selectors.viewer_id(user=_viewer(request)))
        return selectors.recommended_list_spec(row=row, limit=self.limit_of(value))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        row = selectors.personal_row(user_id=selectors.viewer_id(user=_viewer(request)))
        products = product_list_get(
            spec=selectors.recommended_list_spec(row=row, limit=self.limit_of(value)),
            resolved=context.get("product_lists"),
            request=request,
        )
        context.update(
            personal_row_context(
                request=request, row=row, products=products, title=value.get("title")
            )
        )
        return context

    class Meta:
        icon = "pick"
        label = _("Recommended for you")
        template = "recommendations/blocks/recommended_for_you_block.html"
        preview_template = "pages/blocks/preview.html"
        preview_value = {"title": "", "limit": 4}
        description = _(
            "For members: items they never bought that their purchases point to, each with "
            "its reason. Visitors see what is popular right now. Unavailable products never "
            "show."
        )


class BuyItAgainBlock(_ShoppersRowBlock):
    title = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Title"),
        help_text=_('Leave empty for "Buy it again".'),
    )

    def product_list_spec(self, value, *, request):
        return selectors.buy_again_list_spec(user=_viewer(request), limit=self.limit_of(value))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        context["products"] = product_list_get(
            spec=self.product_list_spec(value, request=request),
            resolved=context.get("product_lists"),
            request=request,
        )
        context["placement"] = "buy_again"
        context["value"] = {"title": value.get("title") or BUY_IT_AGAIN}
        return context

    class Meta:
        icon = "rotate"
        label = _("Buy it again")
        template = "recommendations/blocks/buy_it_again_block.html"
        preview_template = "pages/blocks/preview.html"
        preview_value = {"title": "", "limit": 4}
        description = _(
            "For members: their own items, the ones most due first. Visitors and members "
            "who have not bought anything yet do not see this block."
        )
