"""Campaign sending: once per member, control group held out, unsubscribe, points, tracking."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from loyalty.models import PointsTransaction
from marketing import links, selectors, services, tasks
from marketing.models import Campaign, CampaignRecipient, MarketingConsent
from tests.factories.loyalty import member_card
from tests.factories.marketing import history_order, member, rule_segment

Voucher = get_model("voucher", "Voucher")
ConditionalOffer = get_model("offer", "ConditionalOffer")


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user(username="marketer", email="m@campus.example")


@pytest.fixture
def students(db):
    people = [member() for _ in range(20)]
    for person in people:
        member_card(user=person, member_type_code="student")
    return people


def _campaign(*, staff, segment, **fields) -> Campaign:
    fields.setdefault("control_percent", 20)
    return Campaign.objects.create(
        name=fields.pop("name", "Spring"),
        segment=segment,
        subject="Hello {name}",
        body=(
            '<p>Hi {name}, you have {points} points. <a href="https://campus.example/deals/">'
            'Deals</a> <a href="/catalogue/">Shop</a> <a href="mailto:help@campus.example">Help</a></p>'
        ),
        created_by=staff,
        **fields,
    )


@pytest.fixture
def segment(students):
    return rule_segment(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )


def test_send_twice_and_run_the_task_twice_one_email_per_member(
    staff, students, segment, django_capture_on_commit_callbacks
):
    campaign = _campaign(staff=staff, segment=segment)
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.campaign_send(campaign_id=campaign.pk, by=staff)
    assert queued == 16  # 20 members, 20 % held out
    assert len(mail.outbox) == 16
    # The same batch delivered again (a retried task) and a second "send now": nothing new.
    all_ids = list(campaign.recipients.values_list("pk", flat=True))
    tasks.campaign_deliver_batch(campaign.pk, all_ids)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaign_send(campaign_id=campaign.pk, by=staff) == 0
    assert len(mail.outbox) == 16
    assert len({message.to[0] for message in mail.outbox}) == 16
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    # Placeholders filled, link tracked, unsubscribe link present.
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "{name}" not in html and "you have 0 points" in html
    assert "/marketing/c/?t=" in html and "https://campus.example/deals/" not in html
    assert 'href="/catalogue/"' not in html and 'href="mailto:help@campus.example"' in html
    assert "/marketing/unsubscribe/" in message.body


def test_database_refuses_a_second_recipient_row(staff, students, segment):
    from django.db import IntegrityError, transaction

    campaign = _campaign(staff=staff, segment=segment)
    CampaignRecipient.objects.create(campaign=campaign, user=students[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignRecipient.objects.create(campaign=campaign, user=students[0])


def test_control_group_is_held_out_reproducibly_and_gets_nothing(
    staff, students, segment, django_capture_on_commit_callbacks
):
    campaign = _campaign(staff=staff, segment=segment, control_percent=25, bonus_points=50)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_send(campaign_id=campaign.pk, by=staff)
    control = set(campaign.recipients.filter(is_control=True).values_list("user_id", flat=True))
    assert len(control) == 5
    emailed = {message.to[0] for message in mail.outbox}
    assert not emailed & {person.email for person in students if person.pk in control}
    # Same seed, same draw: the split can be recomputed from the stored seed.
    eligible = [person.pk for person in students]
    assert (
        services.control_group_draw(
            user_ids=eligible, percent=25, seed=f"{campaign.pk}:{campaign.control_seed}"
        )
        == control
    )
    # Bonus points: once per recipient, none for the control group.
    bonuses = PointsTransaction.objects.filter(campaign_bonus__campaign=campaign)
    assert bonuses.count() == 15 and {b.points for b in bonuses} == {50}


def test_unsubscribed_members_are_not_emailed(
    staff, students, segment, django_capture_on_commit_callbacks
):
    services.marketing_unsubscribe(user_id=students[0].pk)
    campaign = _campaign(staff=staff, segment=segment, control_percent=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_send(campaign_id=campaign.pk, by=staff)
    assert len(mail.outbox) == 19
    assert students[0].email not in {message.to[0] for message in mail.outbox}


def test_unsubscribe_link_needs_a_post_and_a_valid_signature(students):
    client = Client()
    url = links.unsubscribe_url(user_id=students[1].pk).replace("http://127.0.0.1:8000", "")
    assert client.get(url).status_code == 200
    assert not MarketingConsent.objects.filter(user=students[1], email_opt_out=True).exists()
    assert client.post(url).status_code == 200
    assert MarketingConsent.objects.get(user=students[1]).email_opt_out
    assert client.get("/marketing/unsubscribe/forged/").status_code == 400


def test_open_pixel_click_redirect_and_results(
    staff, students, segment, django_capture_on_commit_callbacks
):
    campaign = _campaign(staff=staff, segment=segment, control_percent=50)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_send(campaign_id=campaign.pk, by=staff)
    recipient = campaign.recipients.filter(status="sent").first()
    client = Client()
    pixel = links.open_pixel_url(recipient_id=recipient.pk).replace("http://127.0.0.1:8000", "")
    assert client.get(pixel)["Content-Type"] == "image/gif"
    target = "https://campus.example/deals/"
    click = links.click_url(recipient_id=recipient.pk, target=target).replace(
        "http://127.0.0.1:8000", ""
    )
    response = client.get(click)
    assert response.status_code == 302 and response["Location"] == target
    assert client.get("/marketing/c/?t=forged").status_code == 404
    # Revenue after the send: one recipient spent 100, one control member 40.
    control = campaign.recipients.filter(is_control=True).first()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    history_order(user=recipient.user, total="100.00", day=tomorrow)
    history_order(user=control.user, total="40.00", day=tomorrow)
    campaign.refresh_from_db()
    results = selectors.campaign_results(campaign=campaign)
    assert (results.sent, results.control, results.opened, results.clicked) == (10, 10, 1, 1)
    assert results.recipient_revenue == Decimal("100.00")
    assert results.control_revenue == Decimal("40.00")
    assert results.uplift_per_member == Decimal("6.00")


def test_unique_vouchers_one_per_recipient(
    staff, students, segment, django_capture_on_commit_callbacks
):
    offer = _voucher_offer()
    campaign = _campaign(
        staff=staff, segment=segment, control_percent=0, voucher_mode="unique", voucher_offer=offer
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_send(campaign_id=campaign.pk, by=staff)
    codes = set(campaign.recipients.values_list("voucher__code", flat=True))
    assert len(codes) == 20 and None not in codes
    assert all(Voucher.objects.get(code=code).offers.filter(pk=offer.pk).exists() for code in codes)
    recipient = campaign.recipients.select_related("voucher", "user").first()
    email = next(m for m in mail.outbox if m.to == [recipient.user.email])
    assert recipient.voucher.code in email.body


def test_scheduled_campaign_goes_out_when_due(
    staff, students, segment, django_capture_on_commit_callbacks
):
    campaign = _campaign(staff=staff, segment=segment)
    services.campaign_schedule(
        campaign_id=campaign.pk, send_at=timezone.now() + dt.timedelta(hours=1), by=staff
    )
    assert services.campaigns_send_due() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaigns_send_due(now=timezone.now() + dt.timedelta(hours=2)) == 1
    assert len(mail.outbox) == 16


def test_multiplier_window_adds_points_once_per_order(
    staff, students, segment, django_capture_on_commit_callbacks
):
    from tests.factories.loyalty import earning_rules, paid_order

    earning_rules(points_per_cny=Decimal("1"))
    now = timezone.now()
    campaign = _campaign(
        staff=staff,
        segment=segment,
        control_percent=0,
        points_multiplier=Decimal("2.00"),
        multiplier_starts_at=now - dt.timedelta(days=1),
        multiplier_ends_at=now + dt.timedelta(days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_send(campaign_id=campaign.pk, by=staff)
    order = paid_order(user=students[0], price="50.00")
    earned = PointsTransaction.objects.get(order=order, kind="earn").points
    extra = PointsTransaction.objects.filter(
        account=students[0].member_cards.first().account, kind="adjust"
    )
    assert [row.points for row in extra] == [earned]
    assert services.campaign_multiplier_award_for_order(order_id=order.pk) == 0


def _voucher_offer():
    from oscar.test.factories import BenefitFactory, ConditionFactory, RangeFactory

    product_range = RangeFactory(includes_all_products=True)
    return ConditionalOffer.objects.create(
        name="Campaign 10% off",
        offer_type=ConditionalOffer.VOUCHER,
        condition=ConditionFactory(range=product_range, value=1),
        benefit=BenefitFactory(range=product_range, value=10),
    )
