"""The marketing user builds a rule segment, sees its count, sends a campaign; members get it."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from loyalty.models import MemberType
from marketing import services
from marketing.models import Campaign
from staff import roles
from tests.factories.loyalty import member_card
from tests.factories.marketing import category_product, history_order, member
from tests.factories.staff import staff_user

AS_OF = dt.date(2015, 7, 1)


@pytest.fixture
def marketer(transactional_db):
    return staff_user(
        roles.MARKETING,
        username="marketing",
        email="marketing@campus.example",
        password="marketing-pass-1",
    )


@pytest.fixture
def members(transactional_db):
    for code in ("student", "staff"):  # migration data; flushed by earlier browser tests
        MemberType.objects.get_or_create(code=code, defaults={"name": code.capitalize()})
    drinks = category_product(name="Drinks")
    students = [member(name=f"student{n}") for n in range(4)]
    staff = member(name="staffer")
    for person in students:
        member_card(user=person, member_type_code="student")
        history_order(user=person, total="12.00", day=AS_OF - dt.timedelta(days=90), product=drinks)
    member_card(user=staff, member_type_code="staff")
    history_order(user=staff, total="12.00", day=AS_OF - dt.timedelta(days=90), product=drinks)
    services.segmentation_run(as_of=AS_OF)
    return students


@pytest.mark.browser
def test_marketing_builds_a_segment_and_sends_a_campaign(
    browser_page, live_server, marketer, members
):
    page = browser_page
    page.goto("/cms/login/")
    page.fill("#id_username", "marketing")
    page.fill("#id_password", "marketing-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/cms/")

    page.goto("/cms/marketing/segments/new/")
    page.fill("#id_name", "Lapsed student drinkers")
    if not page.locator("#conditions-0-value-field").count():
        page.locator(
            "[data-streamfield-stream-container] button[title], .c-sf-add-button"
        ).first.click()
    page.select_option("#conditions-0-value-field", "member_type")
    page.select_option("#conditions-0-value-operator", "eq")
    page.fill("#conditions-0-value-value", "student")
    page.locator("#segment-preview-button").click()
    expect(page.locator("#segment-preview-count")).to_have_text("4")
    page.locator("footer button[type='submit']").first.click()
    expect(page.locator(".messages")).to_contain_text("Lapsed student drinkers")

    page.goto("/cms/marketing/campaigns/new/")
    page.fill("#id_name", "Come back")
    page.select_option("#id_segment", label="Lapsed student drinkers")
    page.fill("#id_subject", "We miss you, {name}")
    editor = page.locator(".Draftail-Editor [contenteditable='true']").first
    editor.click()
    page.keyboard.type("Hello {name}, you have {points} points.")
    expect(editor).to_contain_text("you have {points} points")
    # Draftail writes its hidden input after a short debounce: wait for it before saving.
    expect(page.locator("#id_body")).to_have_value(re.compile("you have \\{points\\} points"))
    page.fill("#id_control_percent", "25")
    page.locator("footer button[type='submit']").first.click()
    expect(page.locator(".messages")).to_contain_text("Come back")

    campaign = Campaign.objects.get(name="Come back")
    page.goto(f"/cms/marketing/campaigns/{campaign.pk}/send/")
    expect(page.locator("main")).to_contain_text("has 4 members now")
    page.locator("#campaign-send-confirm").click()
    expect(page.locator("#campaign-results .campaign-sent")).to_contain_text("3")

    # Celery runs eagerly in the live server: the emails are in Django's test outbox.
    addresses = sorted(message.to[0] for message in mail.outbox)
    control = campaign.recipients.get(is_control=True).user.email
    assert addresses == sorted(m.email for m in members if m.email != control)
    message = mail.outbox[0]
    recipient = next(m for m in members if m.email == message.to[0])
    assert message.subject == f"We miss you, {recipient.get_full_name()}"
    assert "you have 0 points" in message.body, message.body
