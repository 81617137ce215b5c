"""Emails name the store and link to its configured host, never Django's "example.com"."""

from types import SimpleNamespace

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.template.loader import render_to_string
from oscar.test.factories import UserFactory

from shop.pages.services import site_record_sync

pytestmark = pytest.mark.django_db

RESET = "/password-reset/"


@pytest.fixture
def configured_host(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://store.campus.example"
    settings.OSCAR_URL_SCHEMA = "https"
    settings.OSCAR_SHOP_NAME = "Teaching Supermarket"
    site_record_sync()
    yield
    # The Site cache is process-wide and outlives the test's rolled-back transaction.
    Site.objects.clear_cache()


def _reset_link(body: str) -> str:
    return next(word for word in body.split() if "/password-reset/confirm/" in word)


def test_migrate_left_the_site_record_naming_the_store_and_its_host(settings):
    site = Site.objects.get_current()

    assert site.name == settings.OSCAR_SHOP_NAME
    assert f"http://{site.domain}" == settings.WAGTAILADMIN_BASE_URL
    assert "example.com" not in site.domain


def test_password_reset_link_opens_the_configured_host_and_is_signed_by_the_store(
    client, configured_host
):
    UserFactory(email="shopper@campus.example", password="old-Password-1")

    client.post(RESET, {"email": "shopper@campus.example"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert _reset_link(message.body).startswith("https://store.campus.example/password-reset/")
    assert "example.com" not in message.body
    assert "The Teaching Supermarket team" in message.body
    html = message.alternatives[0][0]
    assert 'href="https://store.campus.example/password-reset/confirm/' in html
    assert "The Teaching Supermarket team" in html


def test_site_record_sync_refuses_a_base_url_without_a_host(settings):
    settings.WAGTAILADMIN_BASE_URL = "store.campus.example"
    before = Site.objects.values("domain", "name").get()

    with pytest.raises(Exception, match="BASE_URL must be an absolute URL"):
        site_record_sync()

    assert Site.objects.values("domain", "name").get() == before


def test_refund_email_is_signed_with_the_store_name(configured_host):
    order = SimpleNamespace(number="100042", currency="CNY")
    refund = SimpleNamespace(
        amount=12, card_amount=12, wallet_amount=0, cash_amount=0, credit_note=None
    )
    context = {"order": order, "refund": refund, "site": Site.objects.get_current()}

    text = render_to_string("oscar/communication/emails/commtype_order_refunded_body.txt", context)
    html = render_to_string("oscar/communication/emails/commtype_order_refunded_body.html", context)

    assert "The Teaching Supermarket team" in text
    assert "The team" not in text
    assert html.count("The Teaching Supermarket team") == 1
    assert "The team" not in html
