"""Member search, filters, detail and export in the Wagtail admin (/cms/loyalty_members/)."""

import csv
import io
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import UserFactory

from crm.models import PrivacyLog
from loyalty import selectors
from loyalty.models import MemberCard, MemberType, Tier
from loyalty.services.cards import card_issue, card_replace, card_report_lost
from loyalty.services.ledger import points_adjust
from tests.factories.loyalty import member_card
from tests.factories.loyalty_admin import marketing_manager, marketing_user, viewer_user
from wallet import services as wallet_services

pytestmark = pytest.mark.django_db

INDEX_URL = "loyalty_members:index"


def _admin_user():
    return UserFactory(is_staff=True, is_superuser=True)


def _give_points(card: MemberCard, points: int) -> None:
    points_adjust(
        account_id=card.account_id, points=points, reason="test", created_by=_admin_user()
    )


@pytest.fixture
def members():
    li = member_card(user=UserFactory(first_name="Wei", last_name="Li", email="li.wei@uni.test"))
    zhang = member_card(
        user=UserFactory(first_name="Min", last_name="Zhang", email="zm@uni.test"),
        member_type_code="staff",
    )
    unclaimed = card_issue(member_type_code="faculty", pin="1234", campus_id="F-77")
    _give_points(zhang, 800)
    _give_points(unclaimed, 50)
    return {"li": li, "zhang": zhang, "unclaimed": unclaimed}


def _search(query):
    return set(
        selectors.member_cards_search(queryset=selectors.member_cards_for_admin(), query=query)
    )


def test_search_by_card_number_name_email_and_campus_id(members):
    li, zhang, unclaimed = members["li"], members["zhang"], members["unclaimed"]
    spaced = " ".join(li.number[i : i + 4] for i in range(0, 16, 4))

    assert _search(spaced) == {li}
    assert _search(li.number[-6:]) == {li}
    assert _search("li wei") == {li}
    assert _search("Wei Li") == {li}
    assert _search("zm@uni") == {zhang}
    assert _search("F-77") == {unclaimed}
    assert _search("nobody") == set()


def _filter(**filters):
    return set(
        selectors.member_cards_filter(queryset=selectors.member_cards_for_admin(), **filters)
    )


def test_filters_by_type_tier_status_and_points(members):
    li, zhang, unclaimed = members["li"], members["zhang"], members["unclaimed"]
    staff = MemberType.objects.get(code="staff")

    assert _filter(member_type_ids=[staff.pk]) == {zhang}
    assert _filter(points_min=100) == {zhang}
    assert _filter(points_min=10, points_max=100) == {unclaimed}
    assert _filter(points_max=0) == {li}
    card_report_lost(card_id=li.pk)
    assert _filter(statuses=["lost"]) == {li}
    tier = Tier.objects.order_by("minimum_spend").first()
    assert _filter(tier_ids=[tier.pk]) == {li, zhang, unclaimed}


def test_replaced_cards_are_listed_only_when_asked_for(members):
    li = members["li"]
    new = card_replace(card_id=li.pk)

    assert li not in _filter() and new in _filter()
    assert _filter(statuses=["replaced"]) == {MemberCard.objects.get(pk=li.pk)}


def test_member_list_searches_and_filters_for_marketing(client, members):
    client.force_login(marketing_user())
    url = reverse(INDEX_URL)

    page = client.get(url).content.decode()
    assert members["li"].number in page and members["zhang"].number in page
    assert "Wei Li" in page

    found = client.get(url, {"q": "zm@uni"}).content.decode()
    assert members["zhang"].number in found and members["li"].number not in found

    staff = MemberType.objects.get(code="staff")
    filtered = client.get(url, {"member_type": staff.pk, "points_min": "500"}).content.decode()
    assert members["zhang"].number in filtered and members["unclaimed"].number not in filtered


def test_member_list_needs_the_view_permission(client, members):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse(INDEX_URL))
    assert response.status_code == 302 and "/login/" in response.url


def test_member_list_query_count_does_not_grow_with_members(client, members):
    client.force_login(marketing_user())
    url = reverse(INDEX_URL)
    client.get(url)  # warm caches (content types, site settings)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(30):
        user = UserFactory(first_name=f"N{number}")
        card = member_card(user=user)
        wallet_services.wallet_get_or_create_for_user(user=user)
        _give_points(card, 10 + number)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_member_detail_shows_cards_ledger_wallet_and_adjust_form(client, members):
    li = members["li"]
    replacement = card_replace(card_id=li.pk)
    wallet = wallet_services.wallet_get_or_create_for_user(user=li.user)
    wallet_services.wallet_adjust(
        wallet_id=wallet.pk, amount=25, created_by=_admin_user(), note="gift"
    )
    _give_points(replacement, 120)
    client.force_login(marketing_user())

    page = client.get(reverse("loyalty_members:inspect", args=[replacement.pk])).content.decode()

    assert li.number in page and replacement.number in page  # the replaced card too
    assert "Replaced" in page
    assert "+120" in page  # the ledger
    assert "gift" in page and "25.00" in page  # the wallet statement
    assert 'name="reason"' in page  # the adjustment form


def test_member_detail_without_adjust_permission_shows_ledger_not_form(client, members):
    client.force_login(viewer_user())

    page = client.get(
        reverse("loyalty_members:inspect", args=[members["zhang"].pk])
    ).content.decode()

    assert "+800" in page
    assert 'name="reason"' not in page


def test_crm_profile_link_needs_the_crm_app_and_falls_back_without_its_url(members, monkeypatch):
    from loyalty import admin_views

    user = members["li"].user
    monkeypatch.setattr(admin_views.apps, "is_installed", lambda name: False)
    monkeypatch.setattr(admin_views, "CRM_PROFILE_URL_NAME", "loyalty_members:inspect")
    assert admin_views.crm_profile_url(user=user) is None

    monkeypatch.setattr(admin_views.apps, "is_installed", lambda name: True)
    assert admin_views.crm_profile_url(user=user) == reverse(
        "loyalty_members:inspect", args=[user.pk]
    )
    monkeypatch.setattr(admin_views, "CRM_PROFILE_URL_NAME", "crm_no_such:url")
    assert admin_views.crm_profile_url(user=user) is None
    assert admin_views.crm_profile_url(user=None) is None


def _export(client, **params):
    return client.get(reverse(INDEX_URL), {"export": "csv", **params})


def test_export_is_refused_to_marketing_without_manager_role(client, members):
    client.force_login(marketing_user())

    assert "export=csv" not in client.get(reverse(INDEX_URL)).content.decode()
    refused = _export(client)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert (refused.status_code, refused.url) == (302, reverse("wagtailadmin_home"))
    assert not PrivacyLog.objects.exists()


def test_manager_exports_the_filtered_list_and_the_export_is_logged(client, members, caplog):
    manager = marketing_manager()
    client.force_login(manager)
    staff = MemberType.objects.get(code="staff")

    assert "export=csv" in client.get(reverse(INDEX_URL)).content.decode()
    with caplog.at_level(logging.INFO, logger="loyalty.admin"):
        response = _export(client, member_type=staff.pk)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0][:3] == ["Card number", "Name", "Email"]
    assert rows[1][:3] == [members["zhang"].number, "Min Zhang", "zm@uni.test"]
    assert rows[1][7] == "800"
    assert len(rows) == 2
    entry = PrivacyLog.objects.get()
    assert (entry.action, entry.actor_id) == (PrivacyLog.Action.EXPORT, manager.pk)
    assert entry.detail["what"] == "loyalty members"
    assert entry.detail["row_count"] == 1
    assert entry.detail["filters"] == {"member_type": [str(staff.pk)]}
    assert "Member export by" in caplog.text


def test_export_defuses_spreadsheet_formulas_in_names(client):
    member_card(user=UserFactory(first_name="=HYPERLINK(1)", last_name="X"))
    client.force_login(_admin_user())

    response = _export(client)

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "'=HYPERLINK(1) X"


def test_superuser_may_export(client, members):
    client.force_login(_admin_user())
    response = _export(client)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4
