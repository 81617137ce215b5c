"""The basket's vouchers are read once per basket, and a voucher added or removed applies at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_class
from oscar.test.factories import (
    BenefitFactory,
    ConditionalOfferFactory,
    UserFactory,
    VoucherFactory,
    create_basket,
)

Applicator = get_class("offer.applicator", "Applicator")

pytestmark = pytest.mark.django_db


def _voucher_with_offer():
    offer = ConditionalOfferFactory(
        offer_type="Voucher", benefit=BenefitFactory(type="Absolute", value=1)
    )
    voucher = VoucherFactory()
    voucher.offers.add(offer)
    return voucher, offer


def _voucher_queries(queries):
    return [q for q in queries if 'FROM "voucher_voucher"' in q["sql"]]


def test_the_baskets_vouchers_are_read_once_for_two_applications():
    user = UserFactory()
    basket = create_basket(empty=True)
    applicator = Applicator()
    with CaptureQueriesContext(connection) as ctx:
        applicator.get_basket_offers(basket, user)
        applicator.get_basket_offers(basket, user)
    assert len(_voucher_queries(ctx.captured_queries)) == 1


def test_a_voucher_added_after_the_first_read_applies_in_the_same_request():
    user = UserFactory()
    basket = create_basket(empty=True)
    voucher, offer = _voucher_with_offer()
    applicator = Applicator()
    assert applicator.get_basket_offers(basket, user) == []

    basket.vouchers.add(voucher)
    assert applicator.get_basket_offers(basket, user) == [offer]

    basket.vouchers.remove(voucher)
    assert applicator.get_basket_offers(basket, user) == []
