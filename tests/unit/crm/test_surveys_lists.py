"""Surveys after paid orders, signed answer links; white/grey/black lists; the matrix."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm import selectors, services
from crm.models import ListEntry, SurveyInvitation, SurveySettings
from tests.factories.crm import CustomerFactory, marketing_manager
from tests.factories.loyalty import paid_order

pytestmark = pytest.mark.django_db


def _survey_rules(**fields):
    rules = SurveySettings.load()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def test_a_paid_order_queues_one_survey_after_commit(django_capture_on_commit_callbacks):
    _survey_rules(after_order=True, order_sample_percent=100, order_delay_hours=0)
    customer = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = paid_order(user=customer, price="12.00")
    assert callbacks, "the survey must be queued with transaction.on_commit"
    invitation = SurveyInvitation.objects.get(order=order)
    assert invitation.customer == customer and invitation.sent_at is not None
    assert any(customer.email in email.to for email in mail.outbox)

    # A replayed task sends nothing more.
    sent = len(mail.outbox)
    from crm.tasks import crm_survey_send_for_order

    assert crm_survey_send_for_order(order.pk) is False
    assert len(mail.outbox) == sent
    assert SurveyInvitation.objects.filter(order=order).count() == 1


def test_sampling_is_a_fixed_share_of_orders():
    sampled = [
        order_id
        for order_id in range(1, 1001)
        if services.survey_order_is_sampled(order_id=order_id, percent=20)
    ]
    assert 150 <= len(sampled) <= 250
    assert sampled == [
        order_id
        for order_id in range(1, 1001)
        if services.survey_order_is_sampled(order_id=order_id, percent=20)
    ]
    assert not services.survey_order_is_sampled(order_id=7, percent=0)


def test_orders_are_not_surveyed_when_switched_off():
    _survey_rules(after_order=False, order_sample_percent=100)
    order = paid_order(user=CustomerFactory(), price="3.00")
    assert services.survey_invitation_for_order(order_id=order.pk) is None


def test_the_signed_link_records_one_answer(client):
    _survey_rules(after_order=True, order_sample_percent=100, order_delay_hours=0)
    order = paid_order(user=CustomerFactory(), price="9.00")
    invitation = services.survey_invitation_for_order(order_id=order.pk)
    url = reverse("crm-support:survey", args=[services.survey_token(invitation_id=invitation.pk)])

    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "9", "comment": "Great staff"})
    assert response.status_code == 200 and b"survey_done" in response.content
    invitation.refresh_from_db()
    assert invitation.score == 9 and invitation.comment == "Great staff"
    with pytest.raises(ValidationError):
        services.survey_answer(invitation_id=invitation.pk, score=3)

    tampered = client.get(url[:-3] + "xyz/")
    assert b"survey_error" in tampered.content


def test_blacklisted_member_may_not_pay_on_account_nor_preorder():
    manager = marketing_manager()
    customer = CustomerFactory()
    assert selectors.customer_restrictions(user=customer).may_pay_on_account
    services.list_entry_add(
        customer_id=customer.pk, kind="black", reason="Unpaid invoices", created_by=manager
    )
    restrictions = selectors.customer_restrictions(user=customer)
    assert not restrictions.may_pay_on_account and not restrictions.may_preorder
    assert "Unpaid invoices" in restrictions.reason


def test_grey_list_means_prepay_and_expired_entries_no_longer_count():
    manager = marketing_manager()
    customer = CustomerFactory()
    entry = services.list_entry_add(
        customer_id=customer.pk,
        kind="grey",
        reason="Two pre-orders not collected",
        created_by=manager,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    restrictions = selectors.customer_restrictions(user=customer)
    assert restrictions.must_prepay_preorders and restrictions.may_preorder
    assert restrictions.may_pay_on_account

    ListEntry.objects.filter(pk=entry.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert not selectors.customer_restrictions(user=customer).must_prepay_preorders


def test_a_list_entry_needs_a_reason_and_a_future_expiry():
    manager = marketing_manager()
    customer = CustomerFactory()
    with pytest.raises(ValidationError):
        services.list_entry_add(
            customer_id=customer.pk, kind="black", reason=" ", created_by=manager
        )
    with pytest.raises(ValidationError):
        services.list_entry_add(
            customer_id=customer.pk,
            kind="grey",
            reason="x",
            created_by=manager,
            expires_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert not ListEntry.objects.exists()


def test_repeated_preorder_no_shows_mean_prepay_unless_whitelisted(monkeypatch):
    customer = CustomerFactory()
    monkeypatch.setattr(selectors, "preorder_no_shows", lambda *, user, now=None: 2)
    restrictions = selectors.customer_restrictions(user=customer)
    assert restrictions.must_prepay_preorders and "2 pre-orders" in restrictions.reason

    services.list_entry_add(
        customer_id=customer.pk, kind="white", reason="Known staff", created_by=marketing_manager()
    )
    assert not selectors.customer_restrictions(user=customer).must_prepay_preorders


def test_loyalty_value_matrix_counts_promoters_and_detractors_per_value_group():
    matrix = selectors.loyalty_value_matrix(
        rows=[
            ("most_valuable", 10, 3),
            ("most_valuable", 9, 1),
            ("most_valuable", 4, 1),
            ("pre_churn", 2, 2),
            ("pre_churn", 8, 2),
            (None, 7, 1),
        ]
    )
    assert matrix["most_valuable"] == {
        "promoter": 4,
        "passive": 0,
        "detractor": 1,
        "total": 5,
        "nps": 60,
    }
    assert matrix["pre_churn"]["nps"] == -50
    assert matrix["unscored"]["passive"] == 1


def test_blacklist_is_enforced_when_paying_on_account():
    from credit import services as credit_services
    from tests.factories.credit import credit_account

    buyer = CustomerFactory()
    account = credit_account(buyers=[buyer])
    credit_services.onaccount_precheck(account_id=account.pk, buyer=buyer, amount=Decimal("10"))
    services.list_entry_add(
        customer_id=buyer.pk, kind="black", reason="Fraud", created_by=marketing_manager()
    )
    with pytest.raises(credit_services.CreditRefused, match="Fraud"):
        credit_services.onaccount_precheck(account_id=account.pk, buyer=buyer, amount=Decimal("10"))


def test_the_survey_waits_for_its_delay_and_the_sweep_sends_it_once():
    _survey_rules(after_order=True, order_sample_percent=100, order_delay_hours=24)
    customer = CustomerFactory()
    order = paid_order(user=customer, price="8.00")
    assert services.survey_invitation_for_order(order_id=order.pk) is None  # not due yet
    mail.outbox.clear()

    later = timezone.now() + dt.timedelta(hours=25)
    assert services.surveys_send_due(now=later) == 1
    assert services.surveys_send_due(now=later) == 0
    assert [email.to for email in mail.outbox] == [[customer.email]]
