"""A product taking pre-orders looks like one on its card: its button says "Pre-order", and
the card's availability line ("Pre-order: ships by <date>") may wrap instead of being cut off."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from oscar.test.factories import create_product

from preorders.models import PreorderSettings
from tests.factories.preorders import preorder_product

pytestmark = pytest.mark.django_db


def card_buttons(html: str) -> dict[str, str]:
    """Product title -> the text of its card's button, on a catalogue page."""
    buttons = {}
    for card in html.split('<article class="product_pod">')[1:]:
        title = re.search(r'title="([^"]+)"', card).group(1)
        button = re.search(r'<(?:button|span) [^>]*class="btn [^>]*>([^<]*)<', card).group(1)
        buttons[title] = button.strip()
    return buttons


def test_a_pre_order_products_card_says_pre_order(client):
    preorder_product(title="Organic Chemistry, 9th edition")
    create_product(title="Campus cheddar", price=Decimal("12.50"), num_in_stock=10)

    page = client.get(reverse("catalogue:index"))

    buttons = card_buttons(page.content.decode())
    assert buttons["Organic Chemistry, 9th edition"] == "Pre-order"
    assert buttons["Campus cheddar"].startswith("Add to")


def test_a_fully_pre_ordered_products_card_still_says_pre_order(client):
    terms = preorder_product(title="Graduation gown and cap")
    # Every unit taken (as pre-orders held against the cap would), without placing them.
    PreorderSettings.objects.filter(pk=terms.pk).update(cap=0)

    page = client.get(reverse("catalogue:index"))

    assert card_buttons(page.content.decode()) == {"Graduation gown and cap": "Pre-order"}


def test_the_cards_availability_line_wraps():
    css = Path(django_settings.BASE_DIR, "static", "css", "shop.css").read_text(encoding="utf-8")
    rule = re.search(r"\.product_pod \.availability \{([^}]*)\}", css).group(1)
    assert "white-space: normal" in rule
