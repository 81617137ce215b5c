"""Oscar's shipping models, plus the one place the store's delivery promises live."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField

from shop.apps.shipping.blocks import DeliveryRoundBlock, default_rounds


@register_setting(icon="site")
class DeliverySettings(BaseGenericSetting):
    """Fee, free-delivery threshold, rounds and pick-up times; marketing edits them in /cms/.

    The checkout's shipping methods (``shop.apps.shipping.repository``) and the "Delivery
    terms" block of the "Campus delivery" page both read this row, so the page can never
    promise what the checkout does not charge. A generic setting (one per installation, like
    the points rules) rather than one per Wagtail site, because the Stripe webhook rebuilds an
    order's total without a request, and must find the very numbers the shopper saw.
    """

    delivery_fee = models.DecimalField(
        _("Delivery fee"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    free_delivery_threshold = models.DecimalField(
        _("Free delivery from"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Delivery is free when the goods cost at least this much (after member prices "
            "and offers, before points)."
        ),
    )
    rounds = StreamField(
        [("round", DeliveryRoundBlock())],
        blank=True,
        default=default_rounds,
        verbose_name=_("Delivery rounds"),
        help_text=_("No rounds: campus delivery is not offered at checkout."),
    )
    pickup_preparation_minutes = models.PositiveSmallIntegerField(
        _("Pick-up ready after (minutes)"),
        default=60,
        help_text=_("How long after the order the bag is ready at the service desk."),
    )
    pickup_opens_at = models.TimeField(_("Service desk opens"), default=datetime.time(9, 0))
    pickup_closes_at = models.TimeField(_("Service desk closes"), default=datetime.time(18, 0))
    # Left empty, the shopper reads the store's own wording in their language
    # (selectors.pickup_place_get); marketing writes a place of their own in each language.
    pickup_place = models.CharField(
        _("Where to collect (English)"),
        max_length=255,
        blank=True,
        help_text=_(
            'Completes "Your bag is ready … at": e.g. "the service desk by the main entrance". '
            "Leave empty for that wording, translated on the Chinese site."
        ),
    )
    pickup_place_zh_hans = models.CharField(
        _("Where to collect (Chinese)"),
        max_length=255,
        blank=True,
        help_text=_(
            "What the Chinese site says instead. Empty: the English text above if there is "
            "one, otherwise the store's wording in Chinese."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("delivery_fee"), FieldPanel("free_delivery_threshold")],
            heading=_("Campus delivery charge"),
        ),
        FieldPanel("rounds"),
        MultiFieldPanel(
            [
                FieldPanel("pickup_preparation_minutes"),
                FieldPanel("pickup_opens_at"),
                FieldPanel("pickup_closes_at"),
                FieldPanel("pickup_place"),
                FieldPanel("pickup_place_zh_hans"),
            ],
            heading=_("Pick-up in store"),
        ),
    ]

    class Meta:
        verbose_name = _("Delivery and pick-up")

    def clean(self):
        super().clean()
        if self.pickup_closes_at <= self.pickup_opens_at:
            raise ValidationError(
                {"pickup_closes_at": _("The service desk must close after it opens.")}
            )


from oscar.apps.shipping.models import *  # noqa: E402, F403
