"""The "Recommended for you" StreamField block marketing can place on any page."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class RecommendedForYouBlock(blocks.StructBlock):
    """Rendered by the ``recommended_for_you`` tag, which serves the row's HTML from the cache.

    The block therefore lists no products for the page to resolve with its other lists:
    members get their own list, visitors and new customers the week's best sellers (the
    editor's preview shows the editor's own list, like a shopper's).
    """

    title = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Title"),
        help_text=_('Leave empty for "Recommended for you".'),
    )
    limit = blocks.IntegerBlock(default=4, min_value=1, max_value=12, label=_("Show at most"))

    class Meta:
        icon = "pick"
        label = _("Recommended for you")
        template = "recommendations/blocks/recommended_for_you_block.html"
        preview_template = "pages/blocks/preview.html"
        preview_value = {"title": "", "limit": 4}
        description = _(
            "Products picked for each shopper from their purchase history; visitors who are "
            "not logged in see the best sellers of the week. Unavailable products never show."
        )
