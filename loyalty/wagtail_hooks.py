"""Marketing's screens in the Wagtail admin: members, member types, tiers and points rules.

The points rules themselves (base rate, pending period, expiry, redemption) are a Wagtail
setting (loyalty.models.EarningRules, under Settings); the per-category, per-product and
campaign multipliers are snippets grouped here. The member list, member detail, point
adjustments and the card import live in loyalty.admin_views.
"""

from django.contrib.auth.models import Permission
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet, SnippetCreateView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from loyalty.admin_views import MemberViewSet, PointsAdjustmentViewSet
from loyalty.models import (
    CategoryEarningMultiplier,
    EarningCampaign,
    MemberType,
    ProductEarningMultiplier,
    Tier,
)


class ChooserCreateViewOnlyWithAForm(SnippetCreateView):
    """The chooser's "create" URL, answering 404 when the chooser offers no creation form.

    Wagtail routes it for every snippet but leaves the form out unless one is configured, so a
    POST to it would fail on the missing form with a 500. Ours offer none.
    """

    def dispatch(self, request, *args, **kwargs):
        if self.get_creation_form_class() is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LoyaltySnippetChooserViewSet(SnippetChooserViewSet):
    create_view_class = ChooserCreateViewOnlyWithAForm


class LoyaltySnippetViewSet(SnippetViewSet):
    chooser_viewset_class = LoyaltySnippetChooserViewSet


class MemberTypeViewSet(LoyaltySnippetViewSet):
    model = MemberType
    icon = "group"
    list_display = ["name", "code", "discount_percent", "earn_multiplier", "card_validity_years"]


class TierViewSet(LoyaltySnippetViewSet):
    model = Tier
    icon = "pick"
    list_display = ["name", "minimum_spend", "earn_multiplier"]


class CategoryEarningMultiplierViewSet(LoyaltySnippetViewSet):
    model = CategoryEarningMultiplier
    icon = "folder-open-inverse"
    list_display = ["category", "multiplier"]


class ProductEarningMultiplierViewSet(LoyaltySnippetViewSet):
    model = ProductEarningMultiplier
    icon = "tag"
    list_display = ["product", "multiplier"]


class EarningCampaignViewSet(LoyaltySnippetViewSet):
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


@hooks.register("register_permissions")
def register_points_adjust_permission():
    """Offer "adjust points" (``change_pointsaccount``) in Wagtail's group editor."""
    return Permission.objects.filter(
        content_type__app_label="loyalty", codename="change_pointsaccount"
    )
