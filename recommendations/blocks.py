"""The StreamField blocks of each shopper's own rows, which marketing can place on any page.

"Recommended for you" shows a member the items they never bought that their history points
to ("New for you", each with its reason), and visitors and members without such a list what
is popular right now; "Buy it again" shows a member their own items, most due first, and
nothing at all to visitors and members with no history, so nobody sees an empty row.

Each block's template calls its row's template tag, which serves the row's HTML from the cache
(keyed by the viewer's list and pricing). The blocks therefore list no products for the page to
resolve with its other lists; the editor's preview shows the editor's own rows, like a
shopper's.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class _ShoppersRowBlock(blocks.StructBlock):
    """A row of products picked for whoever views the page, at most ``limit`` of them."""

    title = blocks.CharBlock(required=False, max_length=80, label=_("Title"))
    limit = blocks.IntegerBlock(default=4, min_value=1, max_value=12, label=_("Show at most"))


class RecommendedForYouBlock(_ShoppersRowBlock):
    title = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Title"),
        help_text=_('Leave empty for "New for you" (members) and "Popular right now" (visitors).'),
    )

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
