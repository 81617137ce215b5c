"""Send me a test: the campaign as a recipient gets it, to the staff member only, not a send."""

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from loyalty.models import PointsTransaction
from marketing import services
from marketing.models import Campaign, CampaignRecipient
from staff import roles
from tests.factories.loyalty import member_card
from tests.factories.marketing import member, rule_segment
from tests.factories.staff import staff_user
from tests.unit.marketing.test_campaigns import _voucher_offer

Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db


@pytest.fixture
def students():
    people = [member() for _ in range(3)]
    for person in people:
        member_card(user=person, member_type_code="student")
    return people


@pytest.fixture
def segment(students):
    return rule_segment(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )


@pytest.fixture
def marketer():
    return staff_user(
        roles.MARKETING,
        username="mkt",
        email="mkt@campus.example",
        first_name="Mei",
        last_name="Lin",
    )


@pytest.fixture
def campaign(marketer, segment):
    return Campaign.objects.create(
        name="Spring",
        segment=segment,
        subject="Hello {name}",
        body=(
            '<p>Hi {name}, your code {voucher_code}. <a href="/catalogue/">Shop</a> '
            '<a href="https://campus.example/deals/">Deals</a></p>'
        ),
        created_by=marketer,
        bonus_points=50,
        voucher_mode=Campaign.VoucherMode.UNIQUE,
        voucher_offer=_voucher_offer(),
        voucher_valid_days=14,
        control_percent=0,
    )


def _nothing_recorded(campaign: Campaign) -> None:
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.sent_at is None
    assert not CampaignRecipient.objects.exists()
    assert not Voucher.objects.exists()
    assert not PointsTransaction.objects.filter(kind=PointsTransaction.Kind.ADJUST).exists()


def test_the_staff_member_gets_the_campaign_as_a_member_would_and_nothing_is_recorded(
    client, marketer, campaign, students
):
    client.force_login(marketer)
    page = client.get(reverse("marketing_campaigns:test", args=[campaign.pk]))
    assert page.status_code == 200 and "mkt@campus.example" in page.content.decode()

    response = client.post(reverse("marketing_campaigns:test", args=[campaign.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("marketing_campaigns:edit", args=[campaign.pk])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mkt@campus.example"]
    # Shown with the first member of the segment, named at the top, never the staff member.
    sample = students[0]
    assert message.subject == f"[Test] Hello {sample.first_name}"
    html = message.alternatives[0][0]
    assert f"Hi {sample.first_name}, your code TEST-VOUCHER." in html
    assert "Mei Lin" not in html
    note = f"Test: shown with the details of member {sample.first_name} ({sample.email})."
    assert note in html and message.body.startswith(note)
    assert f"Your voucher code: <strong>{services.CAMPAIGN_TEST_VOUCHER_CODE}</strong>" in html
    # Links go straight to the shop: a test has no recipient to count an open or a click for.
    assert "/catalogue/" in html and "https://campus.example/deals/" in html
    assert reverse("marketing:click") not in html and "<img" not in html
    assert "TEST-VOUCHER" in message.body
    _nothing_recorded(campaign)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("not a send" in m for m in messages)


def test_a_staff_account_without_email_gets_a_clear_message_and_nothing_is_sent(client, campaign):
    nobody = staff_user(roles.MARKETING, username="noemail", email="")
    client.force_login(nobody)

    page = client.get(reverse("marketing_campaigns:test", args=[campaign.pk]))
    assert "has no email address" in page.content.decode()
    response = client.post(reverse("marketing_campaigns:test", args=[campaign.pk]), follow=True)

    assert mail.outbox == []
    assert "Your account has no email address" in response.content.decode()
    _nothing_recorded(campaign)


def test_a_real_send_afterwards_still_reaches_every_member_once(
    marketer, campaign, students, django_capture_on_commit_callbacks
):
    services.campaign_test_send(campaign_id=campaign.pk, user=marketer)
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.campaign_send(campaign_id=campaign.pk, by=marketer)

    assert queued > 0
    assert len(mail.outbox) == 1 + queued
    assert marketer.email not in {m.to[0] for m in mail.outbox[1:]}


def test_the_test_shows_the_sample_members_points_and_keeps_their_consent_link_out(
    marketer, segment, students
):
    from loyalty.models import MemberCard
    from loyalty.services.ledger import points_adjust
    from marketing import links

    sample = students[0]
    card = MemberCard.objects.get(user=sample)
    points_adjust(account_id=card.account_id, points=12345, reason="Test", created_by=marketer)
    campaign = Campaign.objects.create(
        name="Miss you",
        segment=segment,
        subject="{name}, we miss you",
        body="<p>You have {points} points.</p>",
        created_by=marketer,
        control_percent=0,
    )

    services.campaign_test_send(campaign_id=campaign.pk, user=marketer)

    html = mail.outbox[0].alternatives[0][0]
    # Points as members read them everywhere: grouped.
    assert "You have 12,345 points." in html
    # Trying the unsubscribe link of a test must not unsubscribe the member shown in it.
    assert links.unsubscribe_url(user_id=marketer.pk) in html
    assert links.unsubscribe_url(user_id=sample.pk) not in html


def test_without_a_member_to_show_the_greeting_drops_the_name_as_a_real_send_does(marketer):
    nobody = rule_segment(
        name="Nobody", rules=[{"field": "member_type", "operator": "eq", "value": "staff"}]
    )
    campaign = Campaign.objects.create(
        name="Miss you",
        segment=nobody,
        subject="{name}, we miss you",
        body="<p>{name}, come back soon.</p><p>Dear {name}, see you.</p>",
        created_by=marketer,
        control_percent=0,
    )

    services.campaign_test_send(campaign_id=campaign.pk, user=marketer)

    message = mail.outbox[0]
    assert message.subject == "[Test] We miss you"
    html = message.alternatives[0][0]
    assert "<p>Come back soon.</p>" in html and "<p>Dear, see you.</p>" in html
    assert "Mei" not in html and "segment has no member" in html


def test_a_real_send_to_a_member_without_a_name_starts_with_the_next_word():
    assert services._name_fill("{name}, we miss you", name="") == "We miss you"
    assert services._name_fill("Hello {name}, hi", name="") == "Hello, hi"
    assert services._name_fill("{name}, we miss you", name="Ann") == "Ann, we miss you"
