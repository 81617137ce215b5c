"""Once a pre-order product is released, its dashboard page stops offering "Release now" and
"Move date": there is nothing left to release, and the page says it was released."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preorders.models import PaymentPolicy, PreorderSettings
from staff import roles
from tests.factories.preorders import preorder_product
from tests.factories.staff import staff_user
from tests.unit.preorders.test_policies import place_preorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(staff_user(roles.OPERATOR))
    return client


def product_page(client, settings) -> str:
    return client.get(reverse("preorders-product", kwargs={"pk": settings.pk})).content.decode()


def test_release_now_and_move_date_go_once_the_product_is_released(
    checkout, localstripe, operator_client, django_capture_on_commit_callbacks
):
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=3)
    place_preorder(checkout, localstripe, settings)
    before = product_page(operator_client, settings)
    assert 'id="release_now"' in before and "Move date" in before

    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(reverse("preorders-release-now", kwargs={"pk": settings.pk}))

    after = product_page(operator_client, settings)
    assert 'id="release_now"' not in after and "Release now" not in after
    assert "Move date" not in after
    assert 'id="released"' in after and "Released on" in after


def test_a_release_date_today_with_preorders_still_waiting_keeps_release_now(
    checkout, localstripe, operator_client
):
    # Placed before the date came, not released yet (the morning run has not gone through).
    settings = preorder_product(policy=PaymentPolicy.AUTHORISE, days_to_release=3)
    place_preorder(checkout, localstripe, settings)
    PreorderSettings.objects.filter(pk=settings.pk).update(release_date=timezone.localdate())

    assert 'id="release_now"' in product_page(operator_client, settings)
