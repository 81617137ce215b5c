from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecommendationList(models.Model):
    """One precomputed, ranked list of product ids for one owner.

    A whole list lives in one row so that serving it is a single lookup on the
    (kind, owner_id) unique index. ``owner_id`` is a product id for "also bought", a user id
    for personal lists and 0 for the store-wide lists; it is not a foreign key because
    the rows are rebuilt wholesale every night and a deleted owner simply stops being asked for.
    ``scores`` stay beside the ids because the per-order update re-uses the nightly
    neighbour and popularity scores instead of recomputing them. ``reason_ids`` name, for
    each product of a "new for you" list, the product the member bought that led to it
    (shown as "because you buy ..."); other kinds leave it empty.
    """

    class Kind(models.TextChoices):
        ALSO_BOUGHT = "also_bought", _("Bought together with a product")
        BUY_AGAIN = "buy_again", _("Buy it again: a member's own items, most due first")
        NEW_FOR_YOU = "new_for_you", _("New for you: items a member never bought")
        TRENDING = "trending", _("Popular in recent weeks, across categories (visitors)")
        BEST_SELLERS = "best_sellers", _("Best sellers of the week")
        POPULARITY = "popularity", _("Popularity scores of every product")

    STORE_WIDE_OWNER = 0

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner_id = models.PositiveBigIntegerField(_("owner id"))
    product_ids = models.JSONField(_("product ids, best first"), default=list)
    scores = models.JSONField(_("scores"), default=list, blank=True)
    reason_ids = models.JSONField(_("because of product ids"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("recommendation list")
        verbose_name_plural = _("recommendation lists")
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_id"], name="recs_list_unique_owner"),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "also_bought",
                        "buy_again",
                        "new_for_you",
                        "trending",
                        "best_sellers",
                        "popularity",
                    ]
                ),
                name="recs_list_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner_id}"

    def clean(self):
        if self.scores and len(self.scores) != len(self.product_ids):
            raise ValidationError({"scores": _("Give one score per product, or none.")})
        if self.reason_ids and len(self.reason_ids) != len(self.product_ids):
            raise ValidationError({"reason_ids": _("Give one reason per product, or none.")})


class ProductRule(models.Model):
    """A marketing decision that overrides the computed lists: pin a product, or exclude it."""

    class Action(models.TextChoices):
        PIN = "pin", _("Pin (show first)")
        EXCLUDE = "exclude", _("Exclude (never show)")

    class Placement(models.TextChoices):
        EVERYWHERE = "everywhere", _("Everywhere")
        PRODUCT_PAGE = "product_page", _("Product page: bought together")
        BASKET = "basket", _("Basket: bought together")
        BUY_AGAIN = "buy_again", _("Buy it again (account, home and basket pages)")
        PERSONAL = "personal", _("New for you, and popular right now for visitors")

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="recommendation_rules",
        verbose_name=_("product"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    placement = models.CharField(
        _("where"), max_length=20, choices=Placement.choices, default=Placement.EVERYWHERE
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("Pinned products are shown in increasing order of position."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("recommendation rule")
        verbose_name_plural = _("recommendation rules")
        ordering = ["action", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "placement"], name="recs_rule_one_per_product_placement"
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=["pin", "exclude"]), name="recs_rule_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.product} ({self.get_placement_display()})"
