"""The Wagtail admin screens: segment preview and save, bad rules, send, reports, CSV."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from marketing import services
from marketing.models import Campaign, Segment
from staff import roles
from tests.factories.loyalty import member_card
from tests.factories.marketing import history_order, member
from tests.factories.staff import staff_user

AS_OF = dt.date(2015, 7, 1)


@pytest.fixture
def marketer(db, django_user_model):
    return staff_user(roles.MARKETING, username="marketer", password="pw")


@pytest.fixture
def shoppers(db):
    people = [member() for _ in range(5)]
    for person in people:
        member_card(user=person, member_type_code="student")
        history_order(user=person, total="20.00", day=AS_OF - dt.timedelta(days=70))
    services.segmentation_run(as_of=AS_OF)
    return people


def _form(name, field, operator, value):
    return {
        "name": name,
        "description": "",
        "match": "all",
        "conditions-count": "1",
        "conditions-0-type": "condition",
        "conditions-0-deleted": "",
        "conditions-0-order": "0",
        "conditions-0-id": "",
        "conditions-0-value-field": field,
        "conditions-0-value-operator": operator,
        "conditions-0-value-value": value,
    }


def test_preview_shows_the_count_and_saves_nothing_then_save(client, marketer, shoppers):
    client.force_login(marketer)
    url = reverse("marketing_segments:add")
    assert client.get(url).status_code == 200
    form = _form("Students", "member_type", "eq", "student")
    response = client.post(url, {**form, "preview": "1"})
    assert response.status_code == 200
    assert b'id="segment-preview-count">5<' in response.content
    assert not Segment.objects.filter(name="Students").exists()
    response = client.post(url, form)
    assert response.status_code == 302
    assert Segment.objects.filter(name="Students").exists()


def test_bad_rule_in_the_admin_shows_the_error_and_saves_nothing(client, marketer, shoppers):
    client.force_login(marketer)
    response = client.post(
        reverse("marketing_segments:add"), _form("Broken", "days_since_last_purchase", "gt", "soon")
    )
    assert response.status_code == 200
    assert b"is not a valid value for Days since last purchase" in response.content
    assert not Segment.objects.filter(name="Broken").exists()


def test_send_now_and_reports(client, marketer, shoppers, django_capture_on_commit_callbacks):
    client.force_login(marketer)
    segment = services.segment_create(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )
    campaign = Campaign.objects.create(
        name="Hello", segment=segment, subject="Hi", body="<p>Hi {name}</p>", control_percent=20
    )
    send_url = reverse("marketing_campaigns:send", args=[campaign.pk])
    assert b"has 5 members now" in client.get(send_url).content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url)
    assert response.status_code == 302
    assert len(mail.outbox) == 4
    results = client.get(reverse("marketing_campaign_results:index"))
    assert b"Hello" in results.content
    csv = client.get(reverse("marketing_campaign_results:index") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    row = csv.content.decode().splitlines()[1].split(",")
    assert (row[0], row[2], row[3], row[4]) == ("Hello", "5", "1", "4")
    sizes = client.get(reverse("marketing_segment_sizes:index") + "?format=json").json()
    assert sizes["days"] == [str(AS_OF)]
    assert client.get(reverse("marketing_segment_sizes:index")).status_code == 200
    assert client.get(reverse("marketing_dormant:index")).status_code == 200
    assert client.get(reverse("marketing_campaigns:index")).status_code == 200
    assert client.get(reverse("marketing_segments:index")).status_code == 200


def test_reports_refuse_users_without_marketing_permission(client, db, django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("marketing_campaign_results:index")).status_code in (302, 403)


def test_profile_panel_renders_value_group_and_reason(rf, marketer, shoppers):
    from wagtail import hooks

    request = rf.get("/")
    request.user = marketer
    panels = [fn(request, shoppers[0]) for fn in hooks.get_hooks("crm_profile_panels")]
    html = "".join(panel.render_html(request) for panel in panels if panel is not None)
    assert "Value group" in html and "Customer lifetime value" in html
    # All five bought once on the same day: every score ties at 1 -> low value, churned.
    assert "R1 F1 M1" in html and "Low / negative value" in html and "neither recent" in html


def test_segment_list_shows_built_in_as_a_tick_and_sizes_with_thousands(
    client, marketer, monkeypatch
):
    from marketing import admin_views

    services.segment_create(
        name="Students", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
    )
    monkeypatch.setattr(admin_views, "segment_size_or_error", lambda *, segment: 1356)
    client.force_login(marketer)

    html = client.get(reverse("marketing_segments:index")).content.decode()

    assert "1,356" in html and "1356" not in html
    assert "#icon-cross" in html
    assert ">False<" not in html and ">True<" not in html
