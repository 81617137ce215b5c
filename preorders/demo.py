"""Demo pre-orders, called from ``manage.py load_demo`` (shop/demo/services.py).

``preorders_demo_install()`` is idempotent (products found by their code are left alone, their
release date is only set when they are created). Two products, dates relative to today:

* a new textbook edition, released in 5 days, "authorise now, capture at release", delivered;
* the graduation gown, released in 21 days, paid in full now, collected at the campus store
  within 7 days, with a 10.00 no-show fee.

(Neither uses "save the card": localstripe's fake Stripe.js, which the embedded profile
serves, hands out legacy ``card_`` ids that SetupIntents refuse. Operators can switch a
product to it in the dashboard; with real Stripe.js it works.)

Both sit in their own aisle, "Books & campus wear", which the menu lists; the demo's home page
shows it as its "Coming soon" product list (``shop.pages.services.site_pages_install``).

The goods arrive before the release, as in a real store: each product's cap is received on a
purchase order from the demo's publisher and outfitter, so whatever is pre-ordered is on the
shelf at release and announced ready (``preorders.services`` § collection).

Who may use the pre-order screens and the hand-over page is their roles' (staff/roles.py).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.core.utils import slugify

from operations import services as operations_services
from operations.models import PurchaseOrder, PurchaseOrderLine, Supplier
from preorders import services
from preorders.models import PaymentPolicy, PreorderSettings
from shop.demo import constants

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

PREORDER_CATEGORY_NAME = "Books & campus wear"
PREORDER_SUPPLIER_CODE = "campus-press-regalia"
PREORDER_SUPPLIER_NAME = "Campus Press & Regalia"

DEMO_PREORDERS = (
    # code, title, price, cap, days to release, policy, collect in store, no-show fee
    (
        "preorder-textbook",
        "Principles of Economics, 10th edition (textbook)",
        "89.00",
        40,
        5,
        PaymentPolicy.AUTHORISE,
        False,
        "0.00",
    ),
    (
        "preorder-graduation-gown",
        "Graduation gown and cap",
        "160.00",
        120,
        21,
        PaymentPolicy.PAY_NOW,
        True,
        "10.00",
    ),
)


@transaction.atomic
def preorders_demo_install() -> list[PreorderSettings]:
    partner, _created = Partner.objects.get_or_create(
        code=constants.PARTNER_CODE, defaults={"name": constants.PARTNER_NAME}
    )
    product_class, _created = ProductClass.objects.get_or_create(
        slug=constants.PRODUCT_CLASS_SLUG,
        defaults={"name": constants.PRODUCT_CLASS_NAME, "track_stock": True},
    )
    category = next(
        (root for root in Category.get_root_nodes() if root.name == PREORDER_CATEGORY_NAME), None
    ) or Category.add_root(name=PREORDER_CATEGORY_NAME)
    installed = []
    for code, title, price, cap, days, policy, collect, fee in DEMO_PREORDERS:
        product, created = Product.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "slug": slugify(title),
                "product_class": product_class,
                "structure": Product.STANDALONE,
                "is_public": True,
            },
        )
        ProductCategory.objects.get_or_create(product=product, category=category)
        StockRecord.objects.get_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": code.upper(),
                "price_currency": django_settings.OSCAR_DEFAULT_CURRENCY,
                "price": Decimal(price),
                "num_in_stock": 0,
                "num_allocated": 0,
            },
        )
        _goods_receive(product=product, quantity=cap)
        existing = PreorderSettings.objects.filter(product=product).first()
        if existing is not None:
            installed.append(existing)
            continue
        installed.append(
            services.preorder_settings_save(
                product=product,
                release_date=timezone.localdate() + dt.timedelta(days=days),
                cap=cap,
                payment_policy=policy,
                collect_in_store=collect,
                no_show_fee=Decimal(fee),
            )
        )
    return installed


def _goods_receive(*, product, quantity: int) -> None:
    """Receive the pre-ordered goods once, through operations' own purchase order path."""
    record = product.stockrecords.get()
    if PurchaseOrderLine.objects.filter(stockrecord=record).exists():
        return
    supplier, _created = Supplier.objects.get_or_create(
        code=PREORDER_SUPPLIER_CODE,
        defaults={
            "name": PREORDER_SUPPLIER_NAME,
            "email": f"orders@{PREORDER_SUPPLIER_CODE}.example",
        },
    )
    purchase_order = PurchaseOrder.objects.create(supplier=supplier)
    line = purchase_order.lines.create(
        stockrecord=record,
        supplier_sku=record.partner_sku,
        quantity_ordered=quantity,
        unit_cost=(record.price * Decimal("0.6")).quantize(Decimal("0.01")),
    )
    operations_services.purchase_order_send(purchase_order_id=purchase_order.pk)
    operations_services.purchase_order_receive(
        purchase_order_id=purchase_order.pk, quantities={line.pk: quantity}
    )
