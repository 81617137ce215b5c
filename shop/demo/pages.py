"""Bring the demo's own pages up to date on a database loaded by an earlier loader.

``site_pages_install`` creates the store's pages once and never touches them again: marketing
may have edited them. But a page that still holds, word for word, a text an earlier demo
loader wrote, with no draft waiting, was edited by nobody; it still promises what the store no
longer does (a delivery fee and rounds written into the text, where the checkout now charges
what Settings → Delivery and pick-up says). Such a page gets the current text and a published
revision, as an editor's publish would give it.
"""

from __future__ import annotations

from django.db import transaction

from shop.pages.models import ContentPage
from shop.pages.services import DELIVERY_BODY, OPENING_HOURS_BODY, STORE_HOURS_HTML

# The loader's earlier texts of a page (slug -> bodies), as (block type, raw value) pairs.
SUPERSEDED_BODIES: dict[str, tuple[list[tuple[str, object]], ...]] = {
    "campus-delivery": (
        [
            (
                "rich_text",
                "<h2>Delivered to your door on campus</h2>"
                "<p>We deliver to every dormitory, office and lab on the main campus, Monday to "
                "Saturday, in two rounds: 12:00 – 13:30 and 18:00 – 20:00.</p>"
                "<ul><li>Free delivery on orders over ¥50; ¥3 below that.</li>"
                "<li>Chilled and frozen goods travel in insulated boxes.</li>"
                "<li>Not in? We leave your order at the dormitory desk and send you a "
                "message.</li>"
                "</ul>"
                "<h3>Pick-up</h3>"
                "<p>Prefer to collect? Choose pick-up at checkout and your bag waits at the "
                "service desk by the main entrance.</p>",
            )
        ],
    ),
    "opening-hours": (
        [
            (
                "rich_text",
                STORE_HOURS_HTML + "<h2>Online orders</h2>"
                "<p>The online store is open around the clock. Orders placed before 15:00 are "
                "ready for pick-up or delivery the same day.</p>",
            )
        ],
    ),
}
CURRENT_BODIES = {"campus-delivery": DELIVERY_BODY, "opening-hours": OPENING_HOURS_BODY}


def _blocks(page: ContentPage) -> list[tuple[str, object]]:
    return [(block["type"], block["value"]) for block in page.body.raw_data]


@transaction.atomic
def demo_pages_refresh() -> int:
    """Give the current text to demo pages nobody edited since; returns how many changed."""
    refreshed = 0
    for page in ContentPage.objects.filter(slug__in=list(SUPERSEDED_BODIES)):
        if page.has_unpublished_changes or _blocks(page) not in SUPERSEDED_BODIES[page.slug]:
            continue
        # Raw stream data: these bodies hold rich text and the delivery terms block only.
        page.body = [
            {"type": block_type, "value": value} for block_type, value in CURRENT_BODIES[page.slug]
        ]
        page.save_revision().publish()
        refreshed += 1
    return refreshed
