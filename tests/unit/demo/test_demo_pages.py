"""load_demo brings the demo's pages to today's text on a database an earlier loader filled,
and leaves every page someone has edited as it is."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from shop.demo.pages import SUPERSEDED_BODIES, demo_pages_refresh
from shop.pages.models import ContentPage

pytestmark = pytest.mark.django_db

HISTORY = """member_number,date,item
1001,2015-01-05,whole milk
"""


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text(HISTORY, encoding="utf-8")
    call_command("load_demo", "--csv", str(path), "--quiet", stdout=StringIO())
    return path


def _page(slug: str) -> ContentPage:
    """The page in the default language (the zh-Hans copies are translations of it)."""
    return ContentPage.objects.get(slug=slug, locale=Locale.get_default())


def _publish(page: ContentPage, blocks) -> None:
    page.body = [{"type": block_type, "value": value} for block_type, value in blocks]
    page.save_revision().publish()


def _old(slug: str):
    return SUPERSEDED_BODIES[slug][0]


def _types(slug: str) -> list[str]:
    page = _page(slug)
    return [block["type"] for block in page.body.raw_data]


def test_a_page_with_the_earlier_loaders_text_gets_the_delivery_terms(csv_path):
    delivery = _page("campus-delivery")
    _publish(delivery, _old("campus-delivery"))
    revisions = delivery.revisions.count()
    assert _types("campus-delivery") == ["rich_text"]

    call_command("load_demo", "--csv", str(csv_path), "--quiet", stdout=StringIO())

    delivery.refresh_from_db()
    assert _types("campus-delivery") == ["rich_text", "delivery_terms", "rich_text"]
    assert "¥50" not in str(delivery.body.raw_data)
    # Published like an editor's change: the editor opens the new text, not the old revision.
    assert delivery.revisions.count() == revisions + 1
    assert delivery.live_revision == delivery.latest_revision
    assert not delivery.has_unpublished_changes


def test_pages_someone_edited_or_has_a_draft_of_are_left_alone(csv_path):
    edited = _page("campus-delivery")
    block_type, text = _old("campus-delivery")[0]
    _publish(edited, [(block_type, text.replace("¥3", "¥4"))])
    drafted = _page("opening-hours")
    _publish(drafted, _old("opening-hours"))
    drafted.title = "Opening hours (exam weeks)"
    drafted.save_revision()  # a draft waiting for review

    assert demo_pages_refresh() == 0
    assert _types("campus-delivery") == ["rich_text"]
    assert "¥4" in str(_page("campus-delivery").body.raw_data)
    assert _page("opening-hours").body.raw_data[0]["value"] == (_old("opening-hours")[0][1])
