"""Loyalty models: member types, tiers, member cards, the points ledger and its earning rules."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from loyalty.economy import CARD_NUMBER_LENGTH, card_number_is_valid

# --------------------------------------------------------------------------- member cards

# How long a new or renewed card is valid unless its member type says otherwise.
CARD_VALID_YEARS = 4


class MemberType(models.Model):
    """Student, staff, ...: data, not code, so marketing can add a type or change a discount."""

    code = models.SlugField(_("Code"), max_length=32, unique=True)
    name = models.CharField(_("Name"), max_length=64)
    discount_percent = models.DecimalField(
        _("Member discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    earn_multiplier = models.DecimalField(
        _("Points multiplier"), max_digits=5, decimal_places=2, default=Decimal("1.00")
    )
    card_validity_years = models.PositiveSmallIntegerField(
        _("Card validity (years)"),
        default=CARD_VALID_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("How long a new card, or a renewal, of this type is valid."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Member type")
        verbose_name_plural = _("Member types")
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="loyalty_membertype_discount_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(earn_multiplier__gte=0),
                name="loyalty_membertype_multiplier_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """Bronze / Silver / Gold: reached by rolling 12-month spend, thresholds editable."""

    name = models.CharField(_("Name"), max_length=64, unique=True)
    minimum_spend = models.DecimalField(
        _("Minimum spend in the last 12 months"), max_digits=12, decimal_places=2, unique=True
    )
    earn_multiplier = models.DecimalField(
        _("Points multiplier"), max_digits=5, decimal_places=2, default=Decimal("1.00")
    )

    class Meta:
        ordering = ["minimum_spend"]
        verbose_name = _("Tier")
        verbose_name_plural = _("Tiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_spend__gte=0), name="loyalty_tier_minimum_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(earn_multiplier__gte=0), name="loyalty_tier_multiplier_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PointsAccount(models.Model):
    """The member behind one or more cards over time.

    Points, tier and history hang off the account, not the plastic: replacing a lost card
    points the new card at the same account and nothing else moves.
    """

    # Spendable points; always equals the unspent remainder of released ledger rows.
    balance = models.IntegerField(_("Points"), default=0)
    # Earned but still inside the pending period (a refund can still take them back).
    pending_balance = models.IntegerField(_("Pending points"), default=0)
    # Points a refund should have taken back but could not (already spent): collected from
    # the next earnings instead of being forgotten.
    points_owed = models.IntegerField(_("Points owed"), default=0)
    tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts"
    )
    # The tier the member was last told about: the notice task compares it with ``tier``,
    # which makes the notice idempotent.
    tier_notified = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    spend_last_12_months = models.DecimalField(
        _("Spend in the last 12 months"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        verbose_name = _("Points account")
        verbose_name_plural = _("Points accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_pointsaccount_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(pending_balance__gte=0),
                name="loyalty_pointsaccount_pending_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(points_owed__gte=0), name="loyalty_pointsaccount_owed_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return ngettext(
            "Points account #%(id)s (%(balance)s point)",
            "Points account #%(id)s (%(balance)s points)",
            self.balance,
        ) % {
            "id": self.pk,
            "balance": self.balance,
        }


class MemberCardQuerySet(models.QuerySet):
    """The SQL form of the card rules; ``MemberCard``'s methods are the same rules in Python."""

    def current(self):
        """The member's card in play, one per account: active, frozen or lost, in date or not."""
        return self.filter(status__in=MemberCard.CURRENT_STATUSES)

    def usable(self, *, on: dt.date | None = None):
        """Cards that give member prices and earn and spend points: active and in date."""
        return self.filter(
            status=MemberCard.Status.ACTIVE, expires_on__gte=on or timezone.localdate()
        )

    def status_shown_in(self, statuses, *, on: dt.date | None = None):
        """Cards whose status as a person sees it (``MemberCard.status_shown``) is one of
        ``statuses``: an active card past its date counts as expired."""
        return self.annotate(
            status_as_shown=Case(
                When(
                    status=MemberCard.Status.ACTIVE,
                    expires_on__lt=on or timezone.localdate(),
                    then=Value(MemberCard.Status.EXPIRED.value),
                ),
                default=F("status"),
                output_field=models.CharField(),
            )
        ).filter(status_as_shown__in=list(statuses))


class MemberCard(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FROZEN = "frozen", _("Frozen")
        LOST = "lost", _("Lost")
        REPLACED = "replaced", _("Replaced")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("Card number"), max_length=CARD_NUMBER_LENGTH, unique=True)
    member_type = models.ForeignKey(
        MemberType, on_delete=models.PROTECT, related_name="cards", verbose_name=_("Member type")
    )
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="cards")
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=128)
    issued_on = models.DateField(_("Issued on"))
    expires_on = models.DateField(_("Expires on"))
    # A card exists before it is claimed online; claiming fills this in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_cards",
        verbose_name=_("Customer"),
    )
    # The campus identity (student / staff number) single sign-on will match on.
    campus_id = models.CharField(_("Campus ID"), max_length=64, blank=True, db_index=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("Replaced by"),
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    objects = MemberCardQuerySet.as_manager()

    # A card stays the member's card in these states; its expiry date is a separate matter
    # (an expired card is renewed, a frozen or lost one replaced).
    CURRENT_STATUSES = (Status.ACTIVE, Status.FROZEN, Status.LOST)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("Member card")
        verbose_name_plural = _("Member cards")
        constraints = [
            # A member holds at most one card in play (CURRENT_STATUSES): the one the till,
            # the offers and the account pages look at.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["active", "frozen", "lost"]),
                name="loyalty_membercard_one_usable_card_per_account",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("issued_on")),
                name="loyalty_membercard_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_expired(self, *, on: dt.date | None = None) -> bool:
        """Past its expiry date (valid through the date itself), or marked expired."""
        return self.status == self.Status.EXPIRED or self.expires_on < (on or timezone.localdate())

    def is_usable(self, *, on: dt.date | None = None) -> bool:
        """The one rule for member prices, earning and spending points, the till, the lookup
        and campus sign-on: an active card within its expiry date."""
        return self.status == self.Status.ACTIVE and not self.is_expired(on=on)

    def status_shown(self, *, on: dt.date | None = None) -> str:
        """The status a person sees, everywhere a card's status is shown: an active card past
        its expiry date is "expired"."""
        if self.status == self.Status.ACTIVE and self.is_expired(on=on):
            return self.Status.EXPIRED.value
        return self.status

    def get_status_shown_display(self) -> str:
        return self.Status(self.status_shown()).label

    def clean(self):
        super().clean()
        if not card_number_is_valid(number=self.number or ""):
            raise ValidationError(
                {"number": _("This is not a valid card number (check digit mismatch).")}
            )


class MemberCardRenewal(models.Model):
    """A staff member moved a card's expiry date: who, when, from and to; rows are only added."""

    card = models.ForeignKey(MemberCard, on_delete=models.PROTECT, related_name="renewals")
    previous_expires_on = models.DateField(_("Previous expiry date"))
    expires_on = models.DateField(_("Valid until"))
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Renewed by"),
    )
    renewed_at = models.DateTimeField(_("Renewed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-renewed_at", "-pk"]
        verbose_name = _("Card renewal")
        verbose_name_plural = _("Card renewals")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("previous_expires_on")),
                name="loyalty_cardrenewal_extends_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id}: {self.previous_expires_on} → {self.expires_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Card renewals are append-only.")
        super().save(*args, **kwargs)


class PointsTransaction(models.Model):
    """One signed movement of points; rows are only ever added.

    ``remaining`` and ``is_pending`` are the one exception: bookkeeping of how much of a
    credit is still unspent (oldest-first expiry) and whether its pending period is over.
    The services change them with queryset updates under the account lock.
    """

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjustment")
        REVERSE = "reverse", _("Reversed")
        BONUS = "bonus", _("Bonus")

    class BonusType(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday bonus")
        REFERRER = "referrer", _("Referral bonus (referrer)")
        NEWCOMER = "newcomer", _("Referral bonus (newcomer)")

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices)
    points = models.IntegerField(_("Points"))
    # Of a credit (points > 0): what is left unspent. Always 0 for debits.
    remaining = models.IntegerField(default=0)
    is_pending = models.BooleanField(default=False)
    available_at = models.DateTimeField(_("Spendable from"))
    expires_at = models.DateTimeField(_("Expires"), null=True, blank=True, db_index=True)
    # A refund reversal that could not take all it should have (already spent points).
    shortfall = models.IntegerField(default=0)
    order = models.ForeignKey(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_transactions",
    )
    refund = models.ForeignKey(
        "order.OrderRefund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_transactions",
    )
    # The row a reversal gives back (a released redemption).
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("Reason"), max_length=255, blank=True)
    # The cause of a bonus: its type, and the year (birthday) or the referral it rewards.
    bonus_type = models.CharField(
        _("Bonus"), max_length=16, choices=BonusType.choices, blank=True, default=""
    )
    bonus_year = models.PositiveSmallIntegerField(_("Bonus year"), null=True, blank=True)
    referral = models.ForeignKey(
        "loyalty.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bonuses",
    )
    created_at = models.DateTimeField(_("Created"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Points transaction")
        verbose_name_plural = _("Points transactions")
        indexes = [models.Index(fields=["account", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0) | Q(shortfall__gt=0),
                name="loyalty_pointstx_points_not_zero",
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(shortfall__gte=0),
                name="loyalty_pointstx_remaining_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(points__lt=0) | Q(remaining__lte=models.F("points")),
                name="loyalty_pointstx_remaining_within_points",
            ),
            # Idempotency keys: a replayed signal earns or reverses once.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="earn"),
                name="loyalty_pointstx_one_earn_per_order",
            ),
            models.UniqueConstraint(
                fields=["refund"],
                condition=Q(kind="reverse"),
                name="loyalty_pointstx_one_reversal_per_refund",
            ),
            # One redemption per order: the checkout holds the points once, and a release
            # (a reverse row pointing at it) gives them back once.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="redeem"),
                name="loyalty_pointstx_one_redeem_per_order",
            ),
            # A bonus is always linked to its cause, and each cause pays once.
            models.CheckConstraint(
                condition=~Q(kind="bonus")
                | (Q(bonus_type="birthday") & Q(bonus_year__isnull=False))
                | (Q(bonus_type__in=["referrer", "newcomer"]) & Q(referral__isnull=False)),
                name="loyalty_pointstx_bonus_has_cause",
            ),
            models.UniqueConstraint(
                fields=["account", "bonus_year"],
                condition=Q(kind="bonus", bonus_type="birthday"),
                name="loyalty_pointstx_one_birthday_bonus_per_year",
            ),
            models.UniqueConstraint(
                fields=["referral", "bonus_type"],
                condition=Q(kind="bonus"),
                name="loyalty_pointstx_one_bonus_per_referral_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Points transactions are append-only.")
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------- earning rules


# Chosen from the demo's real purchase history (docs/architecture.md, loyalty): the median
# month in which a member shops earns 34 points.
MINIMUM_BALANCE_TO_REDEEM = 30


@register_setting(icon="pick")
class EarningRules(BaseGenericSetting):
    """How points are earned and redeemed; marketing edits it in the Wagtail admin."""

    points_per_cny = models.DecimalField(
        _("Points per CNY paid"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Base rate, on what the member actually paid for goods (shipping excluded)."),
    )
    minimum_order_value = models.DecimalField(
        _("Minimum order value to earn"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    pending_days = models.PositiveIntegerField(
        _("Pending period (days)"),
        default=14,
        help_text=_("Points become spendable this many days after the order was paid."),
    )
    expiry_months = models.PositiveIntegerField(
        _("Points expire after (months)"), default=12, validators=[MinValueValidator(1)]
    )
    points_per_cny_redeemed = models.PositiveIntegerField(
        _("Points for 1 CNY of discount"), default=100, validators=[MinValueValidator(1)]
    )
    minimum_balance_to_redeem = models.PositiveIntegerField(
        _("Minimum balance to redeem"),
        default=MINIMUM_BALANCE_TO_REDEEM,
        help_text=_(
            "Points a member must hold before spending any. The default, 30, is reached by a "
            "typical month of shopping: half of the months in which a member shops earn 34 "
            "points or more (at 1 point per CNY), so most members can redeem within a month."
        ),
    )
    maximum_order_share_percent = models.DecimalField(
        _("Maximum share of an order paid with points (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    birthday_bonus_points = models.PositiveIntegerField(
        _("Birthday bonus (points)"),
        default=200,
        help_text=_("Once a year, for accounts older than 30 days. 0 turns it off."),
    )
    referral_bonus_referrer_points = models.PositiveIntegerField(
        _("Referral bonus for the member who invited (points)"), default=300
    )
    referral_bonus_newcomer_points = models.PositiveIntegerField(
        _("Referral bonus for the newcomer (points)"),
        default=200,
        help_text=_("Both referral bonuses are paid after the newcomer's first paid order."),
    )
    expiry_reminder_days = models.PositiveIntegerField(
        _("Expiry reminder (days before)"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("Points rules")


class PointsMultiplier(models.Model):
    """The multiplier the three earning rules share: points per unit spent times this.

    0 is allowed (no points on low-margin goods); a negative multiplier would take points for
    a purchase, so the database refuses it as well as the form.
    """

    multiplier = models.DecimalField(
        _("Points multiplier"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(multiplier__gte=0),
                name="%(app_label)s_%(class)s_multiplier_not_negative",
            )
        ]


class CategoryEarningMultiplier(PointsMultiplier):
    """Multiplier for a category and its subcategories; 0 for low-margin goods."""

    category = models.OneToOneField(
        "catalogue.Category",
        on_delete=models.CASCADE,
        related_name="earning_multiplier",
        verbose_name=_("Category"),
    )

    class Meta(PointsMultiplier.Meta):
        verbose_name = _("Category points multiplier")
        verbose_name_plural = _("Category points multipliers")

    def __str__(self) -> str:
        return f"{self.category} \u00d7{self.multiplier}"


class ProductEarningMultiplier(PointsMultiplier):
    """Multiplier for one product; wins over its categories' multipliers."""

    product = models.OneToOneField(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="earning_multiplier",
        verbose_name=_("Product"),
    )

    class Meta(PointsMultiplier.Meta):
        verbose_name = _("Product points multiplier")
        verbose_name_plural = _("Product points multipliers")

    def __str__(self) -> str:
        return f"{self.product} \u00d7{self.multiplier}"


class EarningCampaign(PointsMultiplier):
    """A time-boxed multiplier ("double points week"); overlapping campaigns: the highest wins."""

    name = models.CharField(_("Name"), max_length=128)
    starts_at = models.DateTimeField(_("Starts"))
    ends_at = models.DateTimeField(_("Ends"))

    class Meta(PointsMultiplier.Meta):
        ordering = ["-starts_at"]
        verbose_name = _("Points campaign")
        verbose_name_plural = _("Points campaigns")
        constraints = [
            *PointsMultiplier.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="loyalty_campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A campaign must end after it starts.")})


# --------------------------------------------------------------------------- member profile,
# referrals, reminders, redemption choice


class MemberProfile(models.Model):
    """Loyalty facts about a customer account that Oscar's user does not hold.

    Keyed on the account (not the card) because a birthday and an invitation belong to the
    person, and the bonuses need an account age and an email, which cards do not have.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_profile",
        verbose_name=_("Customer"),
    )
    date_of_birth = models.DateField(_("Date of birth"), null=True, blank=True)
    referral_code = models.CharField(_("Referral code"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Member profile")
        verbose_name_plural = _("Member profiles")

    def __str__(self) -> str:
        return str(self.user)


class Referral(models.Model):
    """A newcomer who registered with a member's referral code; rewarded once."""

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=_("Referred by"),
    )
    # One-to-one: a newcomer can be referred once, so nobody is rewarded twice for them.
    newcomer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referral",
        verbose_name=_("Newcomer"),
    )
    code = models.CharField(_("Referral code"), max_length=16)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    # The newcomer's first paid order, which released both bonuses.
    rewarded_order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral_rewarded",
    )
    rewarded_at = models.DateTimeField(_("Rewarded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Referral")
        verbose_name_plural = _("Referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(referrer=F("newcomer")), name="loyalty_referral_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer} \u2192 {self.newcomer}"


class PointsExpiryReminder(models.Model):
    """A credit (earn, bonus, adjustment) the member was warned about; one warning each."""

    credit = models.OneToOneField(
        PointsTransaction, on_delete=models.PROTECT, related_name="expiry_reminder"
    )
    sent_at = models.DateTimeField(_("Sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("Points expiry reminder")
        verbose_name_plural = _("Points expiry reminders")

    def __str__(self) -> str:
        return f"{self.credit} ({self.sent_at:%Y-%m-%d})"


class BasketPointsRedemption(models.Model):
    """How many points the member chose to spend on a basket (nothing is held yet).

    On the basket, not in the session, because the Stripe webhook rebuilds the basket's
    totals without the shopper's session and must see the same discount.
    """

    basket = models.OneToOneField(
        "basket.Basket", on_delete=models.CASCADE, related_name="points_redemption"
    )
    points = models.PositiveIntegerField(_("Points to use"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Points chosen for a basket")
        verbose_name_plural = _("Points chosen for baskets")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_basketpoints_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.points} points on basket #{self.basket_id}"


# Oscar's custom conditions and benefits of the loyalty offers register as models of this app.
from loyalty.offers import (  # noqa: E402,F401
    ActiveMemberCardCondition,
    MemberTypeDiscountBenefit,
    PointsRedemptionBenefit,
    PointsRedemptionCondition,
)
