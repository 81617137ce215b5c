"""Marketing's screens in the Wagtail admin: members, member types, tiers and points rules.

The points rules themselves (base rate, pending period, expiry, redemption) are a Wagtail
setting (loyalty.models.EarningRules, under Settings); the per-category, per-product and
campaign multipliers are snippets grouped here. The member list, member detail, point
adjustments and the card import live in loyalty.admin_views.
"""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from loyalty import services
from loyalty.admin_views import MemberViewSet, PointsAdjustmentViewSet
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
        MemberViewSet,
        PointsAdjustmentViewSet,
        MemberTypeViewSet,
        TierViewSet,
        CategoryEarningMultiplierViewSet,
        ProductEarningMultiplierViewSet,
        EarningCampaignViewSet,
    )


register_snippet(LoyaltyViewSetGroup)


@hooks.register("register_log_actions")
def register_loyalty_log_actions(actions):
    actions.register_action(
        services.MEMBERS_EXPORT_LOG_ACTION, _("Export members"), _("Exported members")
    )


@hooks.register("register_permissions")
def register_points_adjust_permission():
    """Offer "adjust points" (``change_pointsaccount``) in Wagtail's group editor."""
    return Permission.objects.filter(
        content_type__app_label="loyalty", codename="change_pointsaccount"
    )
