"""Store operations: suppliers, purchase orders, the stock ledger and the academic calendar.

Models hold fields, constraints and ``clean()``; every write goes through
``operations.services`` and every read the dashboard shows through ``operations.selectors``.

Department credit accounts hang off Oscar orders (checkout "pay on account") and cashier
shifts off till orders; both read the same ``StockMovement`` ledger and the same finance
selectors.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Supplier(models.Model):
    class SettlementTerms(models.TextChoices):
        # Pay only for what was sold, at the agreed unit cost (goods stay the supplier's).
        CONSIGNMENT = "consignment", _("Consignment: pay after sale")
        # Pay for what was received, a fixed number of days after each receipt.
        NET_DAYS = "net_days", _("Fixed terms: N days after receipt")
        # Pay the supplier the sales revenue minus the store's agreed commission share.
        PROPORTIONAL = "proportional", _("Proportional: share of sales revenue")

    name = models.CharField(_("Name"), max_length=128, unique=True)
    code = models.SlugField(_("Code"), max_length=64, unique=True)
    contact_name = models.CharField(_("Contact name"), max_length=128, blank=True)
    email = models.EmailField(_("Email"), blank=True)
    phone = models.CharField(_("Phone"), max_length=32, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("Rating"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (poor) to 5 (excellent): reliability, quality and punctuality."),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("Lead time (days)"),
        default=3,
        help_text=_("Days from sending a purchase order to the goods arriving."),
    )
    review_period_days = models.PositiveSmallIntegerField(
        _("Review period (days)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_("How often this supplier's products are reordered."),
    )
    settlement_terms = models.CharField(
        _("Settlement terms"),
        max_length=16,
        choices=SettlementTerms.choices,
        default=SettlementTerms.NET_DAYS,
    )
    payment_days = models.PositiveSmallIntegerField(
        _("Payment days"),
        default=30,
        help_text=_("For fixed terms: days after receipt; otherwise days after the month's sales."),
    )
    commission_percent = models.DecimalField(
        _("Store commission (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("For proportional terms: the store's share of the sales revenue."),
    )
    is_active = models.BooleanField(_("Active"), default=True)
    notes = models.TextField(_("Notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Supplier")
        verbose_name_plural = _("Suppliers")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="operations_supplier_rating_1_5"
            ),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0) & Q(commission_percent__lte=100),
                name="operations_supplier_commission_0_100",
            ),
            models.CheckConstraint(
                condition=Q(review_period_days__gte=1),
                name="operations_supplier_review_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupplierProduct(models.Model):
    """What a supplier sells us for one stock record: their SKU, unit cost and pack size."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="products", verbose_name=_("Supplier")
    )
    stockrecord = models.ForeignKey(
        "partner.StockRecord",
        on_delete=models.CASCADE,
        related_name="supplier_products",
        verbose_name=_("Stock record"),
    )
    supplier_sku = models.CharField(_("Supplier SKU"), max_length=128, blank=True)
    unit_cost = models.DecimalField(_("Unit cost"), max_digits=12, decimal_places=2)
    pack_size = models.PositiveIntegerField(
        _("Pack size"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Orders are rounded up to whole packs."),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("Lead time override (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the supplier's."),
    )
    is_preferred = models.BooleanField(
        _("Preferred supplier"),
        default=True,
        help_text=_("Reorder suggestions go to the preferred supplier."),
    )

    class Meta:
        ordering = ["supplier__name", "stockrecord__product__title"]
        verbose_name = _("Supplier product")
        verbose_name_plural = _("Supplier products")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "stockrecord"], name="operations_supplierproduct_unique"
            ),
            # One preferred supplier per stock record, so a suggestion has one destination.
            models.UniqueConstraint(
                fields=["stockrecord"],
                condition=Q(is_preferred=True),
                name="operations_supplierproduct_one_preferred",
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1), name="operations_supplierproduct_pack_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="operations_supplierproduct_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.stockrecord.product}"

    @property
    def effective_lead_time_days(self) -> int:
        return (
            self.lead_time_days if self.lead_time_days is not None else self.supplier.lead_time_days
        )


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    # Stock still to arrive counts in the inventory position while the order is open.
    OPEN_STATUSES = (Status.DRAFT, Status.SENT, Status.PARTLY_RECEIVED)

    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("Supplier"),
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    expected_on = models.DateField(_("Expected on"), null=True, blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("Fully received at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Purchase order")
        verbose_name_plural = _("Purchase orders")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"PO-{self.pk:06d}" if self.pk else "PO-new"

    @property
    def is_receivable(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.PARTLY_RECEIVED)


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("Purchase order"),
    )
    stockrecord = models.ForeignKey(
        "partner.StockRecord",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Stock record"),
    )
    supplier_sku = models.CharField(_("Supplier SKU"), max_length=128, blank=True)
    quantity_ordered = models.PositiveIntegerField(_("Quantity ordered"))
    quantity_received = models.PositiveIntegerField(_("Quantity received"), default=0)
    unit_cost = models.DecimalField(_("Unit cost"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("Purchase order line")
        verbose_name_plural = _("Purchase order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_ordered__gt=0), name="operations_poline_ordered_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_ordered")),
                name="operations_poline_received_not_above_ordered",
            ),
            models.UniqueConstraint(
                fields=["purchase_order", "stockrecord"], name="operations_poline_unique_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order.number}: {self.quantity_ordered} × {self.stockrecord.product}"

    @property
    def quantity_outstanding(self) -> int:
        return self.quantity_ordered - self.quantity_received

    @property
    def line_total(self) -> Decimal:
        return self.unit_cost * self.quantity_ordered


class StockMovement(models.Model):
    """Append-only ledger of every change to a stock record's ``num_in_stock``.

    ``balance_after`` is the stock level right after the movement, written under the stock
    record's row lock, so the latest row always equals ``num_in_stock``.
    """

    class Reason(models.TextChoices):
        SALE = "sale", _("Sale")
        RETURN = "return", _("Customer return")
        RECEIPT = "receipt", _("Supplier receipt")
        COUNT_CORRECTION = "count_correction", _("Stock count correction")

    stockrecord = models.ForeignKey(
        "partner.StockRecord",
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("Stock record"),
    )
    quantity = models.IntegerField(
        _("Quantity"), help_text=_("Positive adds stock, negative removes it.")
    )
    balance_after = models.PositiveIntegerField(_("Stock after"))
    reason = models.CharField(_("Reason"), max_length=32, choices=Reason.choices)
    note = models.CharField(_("Note"), max_length=255, blank=True)
    order_line = models.ForeignKey(
        "order.Line", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purchase_order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("When"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Stock movement")
        verbose_name_plural = _("Stock movements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="operations_stockmovement_not_zero"
            ),
            models.CheckConstraint(
                condition=(
                    Q(reason="sale", quantity__lt=0, order_line__isnull=False)
                    | Q(reason="return", quantity__gt=0, order_line__isnull=False)
                    | Q(reason="receipt", quantity__gt=0, purchase_order_line__isnull=False)
                    | (Q(reason="count_correction") & ~Q(note=""))
                ),
                name="operations_stockmovement_reason_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.quantity:+d} → {self.balance_after}"


class SupplierPayment(models.Model):
    """Money the store paid a supplier; statements net it against what became payable."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("Amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("Paid on"))
    reference = models.CharField(_("Reference"), max_length=128, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("Supplier payment")
        verbose_name_plural = _("Supplier payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="operations_supplierpayment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.amount} on {self.paid_on}"


class AcademicCalendarPeriod(models.Model):
    """A stretch of the academic year whose demand differs from an ordinary week.

    ``demand_factor`` multiplies the baseline daily demand: 1.8 the week before term,
    0.3 in the summer holidays. Operators enter them; the reorder formula reads them both
    to clean past sales of seasonal swings and to forecast the coming weeks.
    """

    class Kind(models.TextChoices):
        TERM_START = "term_start", _("Term start")
        ENROLMENT = "enrolment", _("Enrolment")
        EXAMS = "exams", _("Exams")
        HOLIDAY = "holiday", _("Holiday")
        OTHER = "other", _("Other")

    name = models.CharField(_("Name"), max_length=128)
    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("Starts on"))
    ends_on = models.DateField(_("Ends on"), help_text=_("Inclusive."))
    demand_factor = models.DecimalField(
        _("Demand factor"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("1.00 is an ordinary day; 2.00 doubles expected sales; 0.50 halves them."),
    )

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("Academic calendar period")
        verbose_name_plural = _("Academic calendar periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="operations_calendar_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(demand_factor__gt=0), name="operations_calendar_factor_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} – {self.ends_on}, ×{self.demand_factor})"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period cannot end before it starts.")})


class ReorderSuggestion(models.Model):
    """The latest reorder computation for one stock record (rewritten by each run).

    Stored so the dashboard and the alert email show the same numbers the nightly task
    computed, and so an operator can see why a quantity was suggested.
    """

    stockrecord = models.OneToOneField(
        "partner.StockRecord", on_delete=models.CASCADE, related_name="reorder_suggestion"
    )
    supplier_product = models.ForeignKey(
        SupplierProduct, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_on = models.DateField(_("Computed on"))
    average_daily_demand = models.DecimalField(
        _("Baseline daily demand"), max_digits=10, decimal_places=3
    )
    demand_std_dev = models.DecimalField(
        _("Demand std. deviation"), max_digits=10, decimal_places=3
    )
    calendar_factor = models.DecimalField(
        _("Calendar factor ahead"), max_digits=6, decimal_places=3
    )
    lead_time_days = models.PositiveSmallIntegerField(_("Lead time (days)"))
    review_period_days = models.PositiveSmallIntegerField(_("Review period (days)"))
    safety_stock = models.DecimalField(_("Safety stock"), max_digits=10, decimal_places=2)
    reorder_point = models.DecimalField(_("Reorder point"), max_digits=10, decimal_places=2)
    order_up_to = models.DecimalField(_("Order-up-to level"), max_digits=10, decimal_places=2)
    inventory_position = models.IntegerField(_("Inventory position"))
    suggested_quantity = models.PositiveIntegerField(_("Suggested quantity"))
    alerted_on = models.DateField(_("Alert sent on"), null=True, blank=True)

    class Meta:
        ordering = ["stockrecord__product__title"]
        verbose_name = _("Reorder suggestion")
        verbose_name_plural = _("Reorder suggestions")

    def __str__(self) -> str:
        return f"{self.stockrecord.product}: {self.suggested_quantity}"

    @property
    def needs_reorder(self) -> bool:
        return self.suggested_quantity > 0


# The custom offer benefit is a proxy model of this app: imported here so Django registers it.
from operations.offers import MemberLimitedPercentageBenefit  # noqa: E402,F401
