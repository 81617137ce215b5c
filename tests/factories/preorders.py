"""Factories for the pre-order tests (unit, integration, browser)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone
from oscar.test.factories import create_product

from preorders import selectors, services
from preorders.models import PaymentPolicy, Preorder, PreorderSettings


def preorder_product(
    *,
    title: str = "Organic Chemistry, 9th edition",
    price: str = "80.00",
    cap: int = 10,
    days_to_release: int = 5,
    policy: str = PaymentPolicy.PAY_NOW,
    collect_in_store: bool = False,
    no_show_fee: str = "0.00",
) -> PreorderSettings:
    """A product not yet in stock that takes ``cap`` pre-orders, released in N days."""
    product = create_product(price=Decimal(price), title=title, num_in_stock=0)
    return services.preorder_settings_save(
        product=product,
        release_date=timezone.localdate() + dt.timedelta(days=days_to_release),
        cap=cap,
        payment_policy=policy,
        collect_in_store=collect_in_store,
        no_show_fee=Decimal(no_show_fee),
    )


def collection_preorder_product() -> PreorderSettings:
    """A graduation gown, paid when pre-ordered and collected in store (a 5.00 no-show fee)."""
    return preorder_product(
        title="Graduation gown",
        policy=PaymentPolicy.PAY_NOW,
        price="60.00",
        collect_in_store=True,
        no_show_fee="5.00",
    )


def release_today(settings: PreorderSettings) -> None:
    """The release day has come (the date is moved in the database, as time would)."""
    PreorderSettings.objects.filter(pk=settings.pk).update(release_date=timezone.localdate())
    Preorder.objects.filter(settings=settings).update(expected_date=timezone.localdate())
    cache.delete(selectors.PREORDER_PRODUCT_IDS_CACHE_KEY)


class LocalStripePaymentIntents:
    """The PaymentIntents localstripe made for a pre-order since this helper was created.

    localstripe lives for the whole session while test databases roll back, so pre-order ids
    repeat across tests: only the intents created after the snapshot count.
    """

    def __init__(self, localstripe):
        self.localstripe = localstripe
        self.before = {pi["id"] for pi in self._all()}

    def _all(self) -> list[dict]:
        intents, after = [], ""
        while True:
            page = self.localstripe.get(
                "/v1/payment_intents?limit=100" + (f"&starting_after={after}" if after else "")
            )
            intents += page["data"]
            if not page.get("has_more") or not page["data"]:
                return intents
            after = page["data"][-1]["id"]

    def for_preorder(self, preorder: Preorder) -> list[dict]:
        return [
            pi
            for pi in self._all()
            if pi["id"] not in self.before
            and (pi.get("metadata") or {}).get("preorder") == str(preorder.pk)
        ]


def goods_receive(settings: PreorderSettings, *, quantity: int) -> None:
    """The pre-ordered goods arrive from the supplier: a purchase order sent and received."""
    from operations import services as operations_services
    from operations.models import PurchaseOrder
    from tests.factories.operations import SupplierFactory

    purchase_order = PurchaseOrder.objects.create(supplier=SupplierFactory())
    line = purchase_order.lines.create(
        stockrecord=settings.product.stockrecords.get(),
        quantity_ordered=quantity,
        unit_cost=Decimal("1.00"),
    )
    operations_services.purchase_order_send(purchase_order_id=purchase_order.pk)
    operations_services.purchase_order_receive(
        purchase_order_id=purchase_order.pk, quantities={line.pk: quantity}
    )
