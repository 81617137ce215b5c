"""The "Recommended for you" StreamField block marketing can place on any page."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from recommendations import selectors
from shop.pages.selectors import product_list_get


class RecommendedForYouBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Title"),
        help_text=_('Leave empty for "Recommended for you".'),
    )
    limit = blocks.IntegerBlock(default=4, min_value=1, max_value=12, label=_("Show at most"))

    def product_list_spec(self, value, *, request):
        # Members get their own list; visitors and new customers get the week's best
        # sellers (the editor's preview shows the editor's own list, like a shopper's).
        return selectors.recommended_list_spec(
            user=getattr(request, "user", None), limit=value.get("limit") or 4
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        context["products"] = product_list_get(
            spec=self.product_list_spec(value, request=request),
            resolved=context.get("product_lists"),
            request=request,
        )
        context["placement"] = "personal"
        context["value"] = {"title": value.get("title") or _("Recommended for you")}
        return context

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
