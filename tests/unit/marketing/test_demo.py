"""marketing_demo_install on a small history: segmentation, example segment, a sent campaign."""

import datetime as dt

from django.contrib.auth import get_user_model

from marketing.demo import CAMPAIGN_NAME, SEGMENT_NAME, marketing_demo_install
from marketing.models import Campaign, SegmentationRun, SegmentSizeSnapshot
from tests.factories.loyalty import member_card
from tests.factories.marketing import category_product, history_order, member

AS_OF = dt.date(2015, 12, 31)


def test_demo_install_is_idempotent_and_sends_the_campaign_once(db):
    get_user_model().objects.create_superuser(
        username="admin", email="a@campus.example", password="x"
    )
    drinks = category_product(name="Drinks")
    for number in range(10):
        person = member()
        member_card(user=person, member_type_code="student")
        history_order(
            user=person, total="10.00", day=AS_OF - dt.timedelta(days=300), product=drinks
        )
        # Bought again 150 days before the end: lapsing on the campaign's day, which is
        # 150 days before as_of.
        history_order(user=person, total="10.00", day=AS_OF - dt.timedelta(days=270 + number))

    first = marketing_demo_install(as_of=AS_OF)
    second = marketing_demo_install(as_of=AS_OF)

    assert first["customers"] == 10
    assert first["campaign"] == second["campaign"]
    assert first["recipients"] == second["recipients"] == 10
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    assert campaign.status == Campaign.Status.SENT
    assert campaign.recipients.filter(is_control=True).count() == 2
    assert campaign.recipients.filter(status="sent", voucher__isnull=False).count() == 8
    assert SegmentationRun.objects.order_by("-as_of").first().as_of == AS_OF
    assert SegmentSizeSnapshot.objects.values("day").distinct().count() >= 5
    assert SegmentSizeSnapshot.objects.filter(label=SEGMENT_NAME).exists()
