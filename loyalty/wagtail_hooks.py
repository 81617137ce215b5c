"""Marketing's screens in the Wagtail admin: member types, tiers and points rules.

The points rules themselves (base rate, pending period, expiry, redemption) are a Wagtail
setting (loyalty.models.EarningRules, under Settings); the per-category, per-product and
campaign multipliers are snippets grouped here.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from loyalty.models import (
    CategoryEarningMultiplier,
    EarningCampaign,
    MemberType,
    ProductEarningMultiplier,
    Tier,
)


class MemberTypeViewSet(SnippetViewSet):
    model = MemberType
    icon = "group"
    list_display = ["name", "code", "discount_percent", "earn_multiplier"]


class TierViewSet(SnippetViewSet):
    model = Tier
    icon = "pick"
    list_display = ["name", "minimum_spend", "earn_multiplier"]


class CategoryEarningMultiplierViewSet(SnippetViewSet):
    model = CategoryEarningMultiplier
    icon = "folder-open-inverse"
    list_display = ["category", "multiplier"]


class ProductEarningMultiplierViewSet(SnippetViewSet):
    model = ProductEarningMultiplier
    icon = "tag"
    list_display = ["product", "multiplier"]


class EarningCampaignViewSet(SnippetViewSet):
    model = EarningCampaign
    icon = "date"
    list_display = ["name", "starts_at", "ends_at", "multiplier"]


class LoyaltyViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Loyalty")
    menu_icon = "pick"
    menu_order = 300
    items = (
        MemberTypeViewSet,
        TierViewSet,
        CategoryEarningMultiplierViewSet,
        ProductEarningMultiplierViewSet,
        EarningCampaignViewSet,
    )


register_snippet(LoyaltyViewSetGroup)
