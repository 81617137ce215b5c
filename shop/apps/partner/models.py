"""Oscar's partner models, with the stock record made safe for the store's stock ledger.

* ``num_in_stock`` and ``num_allocated`` can never go below zero: named database CHECK
  constraints, so no code path (Oscar's, ours, a raw UPDATE) can leave a negative count.
  Every change to ``num_in_stock`` goes through ``operations.services.stock_move`` (or the
  sale/receipt/return services built on it), which writes a ``StockMovement`` row with its
  reason in the same transaction.
* ``cost_price``: what one unit costs the store (Oscar 2.1 dropped the field from its
  stock record). Finance reports value stock and compute gross margin with it.
* ``is_frozen``: operators can stop a product being sold (online and, later, at the till)
  without unpublishing it; the partner strategy (``shop.apps.partner.strategy``) turns it
  into an "unavailable" availability, Oscar's own way of refusing a purchase.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord


class StockRecord(AbstractStockRecord):
    cost_price = models.DecimalField(
        _("Cost price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What one unit costs the store, for stock value and gross margin."),
    )
    is_frozen = models.BooleanField(
        _("Sales frozen"),
        default=False,
        help_text=_("A frozen product stays in the catalogue but cannot be bought."),
    )
    frozen_reason = models.CharField(_("Reason for freezing"), max_length=255, blank=True)
    frozen_at = models.DateTimeField(_("Frozen at"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Frozen by"),
    )

    class Meta(AbstractStockRecord.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(num_in_stock__isnull=True) | Q(num_in_stock__gte=0),
                name="partner_stockrecord_num_in_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(num_allocated__isnull=True) | Q(num_allocated__gte=0),
                name="partner_stockrecord_num_allocated_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cost_price__isnull=True) | Q(cost_price__gte=0),
                name="partner_stockrecord_cost_price_not_negative",
            ),
        ]


from oscar.apps.partner.models import *  # noqa: E402,F401,F403  (Oscar's fork pattern: ours first)
