"""The demo catalogue mapping is pure and deterministic: no database needed."""

import csv
from decimal import Decimal

from django.conf import settings

from shop.demo import catalogue_map


def _bundled_items() -> set[str]:
    with open(settings.DEMO_CSV_PATH, newline="", encoding="utf-8") as handle:
        return {row["item"] for row in csv.DictReader(handle)}


def test_every_bundled_item_is_mapped_to_a_real_category():
    items = _bundled_items()

    assert len(items) == 167
    unmapped = sorted(
        item
        for item in items
        if catalogue_map.item_category_key(item) == catalogue_map.FALLBACK_CATEGORY_KEY
    )
    assert unmapped == []
    assert set(catalogue_map.ITEMS) == items
    assert all(
        key in catalogue_map.CATEGORIES_BY_KEY for key, _title in catalogue_map.ITEMS.values()
    )


def test_bundled_items_get_unique_valid_barcodes_and_skus():
    items = sorted(_bundled_items())
    eans = catalogue_map.items_ean13(items)

    assert len(set(eans.values())) == len(items)
    assert all(catalogue_map.ean13_is_valid(code) for code in eans.values())
    assert all(code.startswith(catalogue_map.EAN_STORE_PREFIX) for code in eans.values())
    assert len({catalogue_map.item_sku(item) for item in items}) == len(items)


def test_ean13_check_digit_matches_published_examples():
    # Check digits of real, published EAN-13 codes.
    assert catalogue_map.ean13_check_digit("400638133393") == "1"
    assert catalogue_map.ean13_check_digit("590123412345") == "7"
    assert catalogue_map.ean13_is_valid("4006381333931")
    assert not catalogue_map.ean13_is_valid("4006381333932")


def test_prices_are_pinned_two_place_decimals_within_the_category_range():
    # Pinned values: a change of hash (e.g. to Python's salted hash()) breaks these.
    assert catalogue_map.item_price("whole milk") == Decimal("13.40")
    assert catalogue_map.item_price("rolls/buns") == Decimal("15.70")
    assert catalogue_map.item_ean13("whole milk") == "2062881536052"
    assert catalogue_map.item_stock_level("whole milk") == 92

    for item in _bundled_items():
        price = catalogue_map.item_price(item)
        category = catalogue_map.item_category(item)
        assert price.as_tuple().exponent == -2
        assert category.price_min <= price <= category.price_max
        assert (
            catalogue_map.STOCK_LEVEL_MIN
            <= catalogue_map.item_stock_level(item)
            <= (catalogue_map.STOCK_LEVEL_MAX)
        )


def test_unknown_item_falls_back_with_a_title_cased_name():
    assert catalogue_map.item_category("dragon fruit jelly").name == "Other"
    assert catalogue_map.item_title("dragon fruit jelly") == "Dragon Fruit Jelly"
    assert catalogue_map.title_case("UHT-milk and/or cream") == "UHT-Milk and/or Cream"
    assert catalogue_map.item_title("UHT-milk") == "UHT Milk"
