"""Put our demo catalogue into plain Oscar: the same products, categories, prices and stock.

    DJANGO_SETTINGS_MODULE=bench.plain_oscar.settings DATABASE_URL=... \
        .venv/bin/python -m bench.plain_oscar.load_catalogue [--csv PATH]

What ``load_demo`` builds for the catalogue (``shop/demo/services.py``), rebuilt with Oscar's
models only: one partner, one product class, a top-level category per aisle (in the aisles'
order), a standalone public product per CSV item (code = the item, same title, slug and UPC) in
its aisle, and one stock record each with the same SKU, price and stock level. The CSV is read
by our parser and the item -> aisle/title/price mapping is our pure ``catalogue_map`` (no models,
no database), so both stores sell exactly the same things at the same prices.

Idempotent by product code: a second run adds nothing. With ``PLAIN_OSCAR_SEARCH=whoosh`` it
also (re)fills the Whoosh index.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
DEFAULT_CSV = PROJECT_DIR / "shop" / "demo" / "data" / "purchases.csv"
# The demo's partner and product class (shop/demo/constants.py), spelled out: plain Oscar
# imports nothing of our apps.
PARTNER_CODE, PARTNER_NAME = "campus-store", "Campus Store"
PRODUCT_CLASS_SLUG, PRODUCT_CLASS_NAME = "grocery", "Grocery"
LOW_STOCK_THRESHOLD = 10


def catalogue_load(*, csv_path: Path) -> int:
    """Create what is missing; return the number of products created."""
    from django.conf import settings
    from django.db import transaction
    from oscar.core.loading import get_model
    from oscar.core.utils import slugify

    from shop.demo import catalogue_map
    from shop.demo.history import purchase_history_read

    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")
    ProductCategory = get_model("catalogue", "ProductCategory")
    ProductClass = get_model("catalogue", "ProductClass")
    Partner = get_model("partner", "Partner")
    StockRecord = get_model("partner", "StockRecord")

    items = purchase_history_read(csv_path=csv_path).items
    with transaction.atomic():
        partner, _ = Partner.objects.get_or_create(
            code=PARTNER_CODE, defaults={"name": PARTNER_NAME}
        )
        product_class, _ = ProductClass.objects.get_or_create(
            slug=PRODUCT_CLASS_SLUG, defaults={"name": PRODUCT_CLASS_NAME, "track_stock": True}
        )
        wanted = {catalogue_map.item_category_key(item) for item in items}
        existing_roots = {category.name: category for category in Category.get_root_nodes()}
        categories = {}
        for aisle in catalogue_map.CATEGORIES:
            if aisle.key in wanted:
                categories[aisle.key] = existing_roots.get(aisle.name) or Category.add_root(
                    name=aisle.name
                )
        existing = set(Product.objects.filter(code__in=items).values_list("code", flat=True))
        eans = catalogue_map.items_ean13(items)
        new_products = [
            Product(
                code=item,
                title=catalogue_map.item_title(item),
                slug=slugify(catalogue_map.item_title(item)) or "product",
                upc=eans[item],
                product_class=product_class,
                structure=Product.STANDALONE,
                is_public=True,
            )
            for item in items
            if item not in existing
        ]
        Product.objects.bulk_create(new_products)
        ProductCategory.objects.bulk_create(
            ProductCategory(
                product=product,
                category=categories[catalogue_map.item_category_key(product.code)],
            )
            for product in new_products
        )
        StockRecord.objects.bulk_create(
            StockRecord(
                product=product,
                partner=partner,
                partner_sku=catalogue_map.item_sku(product.code),
                price_currency=settings.OSCAR_DEFAULT_CURRENCY,
                price=catalogue_map.item_price(product.code),
                num_in_stock=catalogue_map.item_stock_level(product.code),
                num_allocated=0,
                low_stock_threshold=LOW_STOCK_THRESHOLD,
            )
            for product in new_products
        )
    if settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"].endswith("WhooshEngine"):
        # A search index (PLAIN_OSCAR_SEARCH=whoosh) must hold the products to list them.
        from django.core.management import call_command

        call_command("update_index", verbosity=0)
    return len(new_products)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = parser.parse_args()
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.plain_oscar.settings")
    import django

    django.setup()
    created = catalogue_load(csv_path=args.csv)
    print(f"plain Oscar catalogue: {created} products created", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
