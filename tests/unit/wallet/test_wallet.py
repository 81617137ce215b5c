"""The campus-card wallet: ledger, top-up by card, wallet and split payments."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories.payments import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    funded_wallet,
    signed_webhook,
    stripe_event,
)
from wallet import selectors, services
from wallet.models import Wallet, WalletTransaction

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def assert_ledger_consistent(wallet):
    wallet.refresh_from_db()
    assert selectors.wallet_ledger_sum(wallet_id=wallet.pk) == wallet.balance


# --------------------------------------------------------------------------- ledger


def test_debit_beyond_the_balance_is_refused_and_changes_nothing(shopper):
    wallet = funded_wallet(user=shopper, amount="10.00")

    with pytest.raises(services.WalletBalanceInsufficient) as refused:
        services.wallet_adjust(
            wallet_id=wallet.pk, amount=Decimal("-10.01"), created_by=None, note="too much"
        )
    assert "(¥10.00) does not cover ¥10.01" in refused.value.messages[0]

    assert wallet.transactions.count() == 1
    assert_ledger_consistent(wallet)
    assert wallet.balance == Decimal("10.00")


def test_database_refuses_a_negative_balance(shopper):
    wallet = funded_wallet(user=shopper, amount="1.00")

    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(balance=Decimal("-1.00"))


def test_ledger_rows_are_append_only(shopper):
    movement = funded_wallet(user=shopper, amount="5.00").transactions.get()

    movement.amount = Decimal("500.00")
    with pytest.raises(ValueError):
        movement.save()


def test_adjustment_needs_a_reason(shopper):
    wallet = funded_wallet(user=shopper, amount="0")
    with pytest.raises(ValidationError):
        services.wallet_adjust(wallet_id=wallet.pk, amount=Decimal("5"), created_by=None, note=" ")


# --------------------------------------------------------------------------- top-up


def test_top_up_by_card_credits_once_even_when_the_webhook_replays(shopper, localstripe, client):
    wallet = services.wallet_get_or_create_for_user(user=shopper)

    result = services.wallet_top_up_by_card(
        wallet_id=wallet.pk,
        amount=Decimal("100.00"),
        payment_method_id=localstripe.payment_method_create(CARD_OK),
        request_token=str(uuid.uuid4()),
    )
    payment_intent = localstripe.get(f"/v1/payment_intents/{result.payment_intent.id}")
    body, signature = signed_webhook(stripe_event("payment_intent.succeeded", payment_intent))
    for _ in range(2):
        client.post(
            "/checkout/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")
    movement = wallet.transactions.get()
    assert (
        movement.kind == WalletTransaction.Kind.TOP_UP
        and movement.payment_intent_id == payment_intent["id"]
    )
    assert payment_intent["amount"] == 10000
    assert_ledger_consistent(wallet)


def test_top_up_page_with_a_preset_amount(shopper_client, shopper, localstripe):
    page = shopper_client.get(reverse("wallet:wallet"))
    assert page.status_code == 200

    response = shopper_client.post(
        reverse("wallet:wallet-top-up"),
        {
            "preset": "50.00",
            "payment_method_id": localstripe.payment_method_create(CARD_OK),
            "request_token": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 302
    assert shopper.wallet.balance == Decimal("50.00")
    statement = shopper_client.get(reverse("wallet:wallet")).content.decode()
    assert "Top-up" in statement
    # The amount in the message is written as money, as everywhere else.
    assert "¥50.00 was added to your campus card." in statement


@pytest.mark.parametrize("amount", ["9.99", "2000.01", "-50"])
def test_custom_top_up_outside_the_limits_is_refused(shopper_client, shopper, localstripe, amount):
    response = shopper_client.post(
        reverse("wallet:wallet-top-up"),
        {
            "custom_amount": amount,
            "payment_method_id": localstripe.payment_method_create(CARD_OK),
            "request_token": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 400
    assert "Top-ups must be between" in response.content.decode()
    assert not WalletTransaction.objects.exists()


def test_declined_top_up_credits_nothing(shopper_client, shopper, localstripe):
    response = shopper_client.post(
        reverse("wallet:wallet-top-up"),
        {
            "preset": "100.00",
            "payment_method_id": localstripe.payment_method_create(CARD_DECLINED),
            "request_token": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 400
    assert "Your card was declined" in response.content.decode()
    assert not WalletTransaction.objects.exists()


def test_3d_secure_top_up_is_credited_on_return(shopper_client, shopper, localstripe):
    response = shopper_client.post(
        reverse("wallet:wallet-top-up"),
        {
            "preset": "200.00",
            "payment_method_id": localstripe.payment_method_create(CARD_3DS),
            "request_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200 and not WalletTransaction.objects.exists()
    payment_intent_id = response.context["return_url"].split("payment_intent=")[1]
    localstripe.payment_intent_authenticate(payment_intent_id, response.context["client_secret"])

    shopper_client.get(response.context["return_url"])
    shopper_client.get(response.context["return_url"])  # reloaded

    assert Wallet.objects.get(user=shopper).balance == Decimal("200.00")
    assert WalletTransaction.objects.count() == 1


# --------------------------------------------------------------------------- paying


def test_order_paid_wholly_from_the_wallet(at_payment, shopper, localstripe, run_on_commit):
    wallet = funded_wallet(user=shopper, amount="20.00")
    preview = at_payment.preview(use_wallet=True)
    assert preview.status_code == 200, preview.content.decode()[:3000]

    with run_on_commit():
        response = at_payment.place_order(preview)

    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.status == "Paid"
    source = order.sources.get()
    assert source.source_type.name == "Campus wallet" and source.amount_debited == Decimal("12.00")
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("8.00")
    debit = wallet.transactions.get(kind=WalletTransaction.Kind.ORDER_PAYMENT)
    assert debit.amount == Decimal("-12.00") and debit.order == order
    assert_ledger_consistent(wallet)


def test_split_payment_wallet_then_card(at_payment, shopper, localstripe):
    wallet = funded_wallet(user=shopper, amount="5.00")
    preview = at_payment.preview(
        use_wallet=True, payment_method_id=localstripe.payment_method_create(CARD_OK)
    )
    assert "Campus card" in preview.content.decode()

    at_payment.place_order(preview)

    order = Order.objects.get()
    sources = {s.source_type.name: s for s in order.sources.all()}
    assert sources["Campus wallet"].amount_debited == Decimal("5.00")
    assert sources["Stripe"].amount_debited == Decimal("7.00")
    assert localstripe.get(f"/v1/payment_intents/{sources['Stripe'].reference}")["amount"] == 700
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("0.00")
    assert_ledger_consistent(wallet)


def test_wallet_spent_elsewhere_during_a_split_payment_refunds_the_card(
    at_payment, shopper, localstripe, monkeypatch
):
    from shop.apps.checkout import services as checkout_services

    wallet = funded_wallet(user=shopper, amount="5.00")
    preview = at_payment.preview(
        use_wallet=True, payment_method_id=localstripe.payment_method_create(CARD_OK)
    )
    real_charge = checkout_services.checkout_attempt_charge_card

    def charge_while_the_wallet_is_spent_at_the_till(*, attempt):
        result = real_charge(attempt=attempt)
        services.wallet_adjust(
            wallet_id=wallet.pk, amount=Decimal("-5.00"), created_by=None, note="spent at the till"
        )
        return result

    monkeypatch.setattr(
        checkout_services,
        "checkout_attempt_charge_card",
        charge_while_the_wallet_is_spent_at_the_till,
    )
    response = at_payment.place_order(preview)

    assert response.status_code == 200
    assert "Your card payment has been refunded" in response.content.decode()
    assert not Order.objects.exists()
    attempt = get_model("payment", "CheckoutAttempt").objects.get()
    refunds = localstripe.get(f"/v1/refunds?payment_intent={attempt.payment_intent_id}")["data"]
    assert [r["amount"] for r in refunds] == [700]
    assert_ledger_consistent(wallet)


def test_account_menu_links_to_the_wallet_statement(shopper_client):
    wallet_url = reverse("wallet:wallet")

    profile = shopper_client.get(reverse("customer:profile-view")).content.decode()
    statement = shopper_client.get(wallet_url).content.decode()

    assert f'href="{wallet_url}" class="nav-link"' in profile
    assert f'href="{wallet_url}" class="nav-link active"' in statement


def test_a_reloaded_preview_keeps_the_wallet_choice(
    at_payment, shopper, localstripe, run_on_commit
):
    wallet = funded_wallet(user=shopper, amount="20.00")
    assert at_payment.preview(use_wallet=True).status_code == 200

    at_payment.client.get(reverse("checkout:preview"))
    reloaded = at_payment.client.get(reverse("checkout:preview"))

    assert reloaded.status_code == 200
    assert reloaded.context["wallet_amount"] == Decimal("12.00")
    assert reloaded.context["card_amount"] == Decimal("0.00")
    with run_on_commit():
        response = at_payment.place_order(reloaded)
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.sources.get().source_type.name == "Campus wallet"
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("8.00")


def test_the_payment_page_starts_from_the_choice_made(at_payment, shopper, localstripe):
    funded_wallet(user=shopper, amount="20.00")
    at_payment.preview(use_wallet=True)

    page = at_payment.client.get(reverse("checkout:payment-details"))

    assert 'id="id_use_wallet" checked' in page.content.decode()
