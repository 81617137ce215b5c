"""bench/plain_oscar must not rot: its settings stay plain Oscar, its loader builds the catalogue.

The loader runs here against the test database of our settings: it only uses Oscar's
catalogue and partner models through get_model, whose fields our forks keep, so what it writes
is what it writes into plain Oscar's database in the bench.
"""

import importlib
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from bench.plain_oscar.load_catalogue import DEFAULT_CSV, catalogue_load
from shop.demo import catalogue_map

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")

CSV_LINES = 20
OUR_PACKAGES = (
    "shop",
    "loyalty",
    "recommendations",
    "operations",
    "credit",
    "preorders",
    "till",
    "crm",
    "marketing",
    "campus_sso",
)


def test_settings_are_plain_oscar_with_the_simple_search_backend():
    settings = importlib.import_module("bench.plain_oscar.settings")

    assert "oscar.config.Shop" in settings.INSTALLED_APPS
    assert "oscar.apps.catalogue.apps.CatalogueConfig" in settings.INSTALLED_APPS
    assert not [app for app in settings.INSTALLED_APPS if app.split(".")[0] in OUR_PACKAGES], (
        "plain Oscar must run none of our apps"
    )
    assert "oscar.apps.basket.middleware.BasketMiddleware" in settings.MIDDLEWARE
    assert settings.TEMPLATES[0]["DIRS"] == []  # Oscar's own templates only
    assert settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"] == (
        "haystack.backends.simple_backend.SimpleEngine"
    )
    assert settings.ROOT_URLCONF == "bench.plain_oscar.urls"


@pytest.fixture
def small_csv(tmp_path):
    lines = DEFAULT_CSV.read_text().splitlines()[:CSV_LINES]
    path = tmp_path / "purchases.csv"
    path.write_text("\n".join(lines) + "\n")
    items = sorted({line.rsplit(",", 1)[1] for line in lines[1:]})
    return path, items


@pytest.mark.django_db
def test_loader_builds_the_demo_catalogue_from_the_csv(small_csv):
    csv_path, items = small_csv

    created = catalogue_load(csv_path=csv_path)

    assert created == len(items) == Product.objects.count()
    for item in items:
        product = Product.objects.get(code=item)
        record = StockRecord.objects.get(product=product)
        assert product.title == catalogue_map.item_title(item)
        assert product.is_public and product.structure == Product.STANDALONE
        assert [category.name for category in product.categories.all()] == [
            catalogue_map.item_category(item).name
        ]
        assert record.price == catalogue_map.item_price(item)
        assert isinstance(record.price, Decimal)
        assert record.partner_sku == catalogue_map.item_sku(item)
        assert record.num_in_stock == catalogue_map.item_stock_level(item)
    assert Category.objects.filter(depth=1).count() == len(
        {catalogue_map.item_category_key(item) for item in items}
    )


@pytest.mark.django_db
def test_loader_run_twice_adds_nothing(small_csv):
    csv_path, items = small_csv
    catalogue_load(csv_path=csv_path)

    assert catalogue_load(csv_path=csv_path) == 0
    assert Product.objects.count() == len(items)
    assert StockRecord.objects.count() == len(items)
