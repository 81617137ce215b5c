"""The demo install and the Celery beat task."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from oscar.core.loading import get_model

from preorders.demo import DEMO_PREORDERS, PREORDER_CATEGORY_NAME, preorders_demo_install
from preorders.models import PaymentPolicy, Preorder, PreorderSettings
from preorders.tasks import preorders_release_due_task
from shop.pages.services import site_pages_install
from staff import roles
from tests.factories.preorders import preorder_product, release_today
from tests.unit.preorders.test_policies import place_preorder

Category = get_model("catalogue", "Category")

pytestmark = pytest.mark.django_db


def test_demo_install_makes_two_preorderable_products_once():
    first = preorders_demo_install()
    second = preorders_demo_install()

    assert [s.pk for s in first] == [s.pk for s in second]
    assert PreorderSettings.objects.count() == len(DEMO_PREORDERS) == 2
    titles = set(PreorderSettings.objects.values_list("product__title", flat=True))
    assert any("textbook" in t for t in titles) and any("gown" in t.lower() for t in titles)
    gown = PreorderSettings.objects.get(product__code="preorder-graduation-gown")
    assert gown.collect_in_store and gown.payment_policy == PaymentPolicy.PAY_NOW
    cashiers = Group.objects.get(name=roles.CASHIERS_GROUP)
    assert cashiers.permissions.filter(codename="hand_over_preorder").exists()


def test_demo_receives_the_preordered_goods_before_release_once():
    preorders_demo_install()
    preorders_demo_install()

    for terms in PreorderSettings.objects.select_related("product"):
        record = terms.product.stockrecords.get()
        assert record.num_in_stock == terms.cap
        assert terms.release_date > timezone.localdate()
        assert record.movements.filter(reason="receipt").count() == 1


def test_beat_task_releases_once_and_reports_what_it_did(checkout, localstripe):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=2)
    place_preorder(checkout, localstripe, settings)
    release_today(settings)

    first = preorders_release_due_task.delay().get()
    second = preorders_release_due_task.delay().get()

    assert first["released"] == 1 and second["released"] == 0
    assert Preorder.objects.get().status == Preorder.Status.CHARGED


def test_demo_preorders_sit_in_their_aisle_and_on_the_home_page_as_coming_soon(client):
    """Found without searching: their aisle in the menu and a list on the home page."""
    installed = preorders_demo_install()
    aisle = Category.objects.get(name=PREORDER_CATEGORY_NAME)
    for settings in installed:
        assert list(settings.product.get_categories()) == [aisle]

    site_pages_install(
        featured_product_ids=[], featured_category_id=None, coming_soon_category_id=aisle.pk
    )
    html = client.get("/").content.decode()

    assert "Coming soon: pre-order now" in html
    for settings in installed:
        assert settings.product.get_title() in html
