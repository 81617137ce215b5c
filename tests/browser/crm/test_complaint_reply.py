"""A member files a complaint from their account; staff reply in /cms/; the member sees it."""

import pytest
from django.core import mail
from oscar.test.factories import UserFactory
from playwright.sync_api import expect

from crm.models import Ticket
from tests.factories.crm import TicketCategoryFactory, marketing_manager

MEMBER_PASSWORD = "member-pass-1"
MANAGER_PASSWORD = "manager-pass-1"


@pytest.fixture
def member(transactional_db):
    user = UserFactory(email="xiao.ming@campus.example", first_name="Ming", last_name="Xiao")
    user.set_password(MEMBER_PASSWORD)
    user.save()
    TicketCategoryFactory(name="Product quality", first_reply_hours=24)
    return user


@pytest.fixture
def manager(transactional_db):
    return marketing_manager(username="mktmanager", password=MANAGER_PASSWORD)


@pytest.mark.browser
def test_member_files_a_complaint_and_sees_the_staff_reply(
    browser_page, chromium_browser, live_server, member, manager
):
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_login-username", member.email)
    page.fill("#id_login-password", MEMBER_PASSWORD)
    page.locator("button[name=login_submit]").click()

    page.goto("/accounts/")
    page.locator("#account_support_link").click()
    page.locator("#ticket_new").click()
    page.get_by_label("What is it about?").select_option(label="Product quality")
    page.get_by_label("Subject").fill("Yoghurt was mouldy")
    page.get_by_label("What happened").fill("Bought it this morning, opened it at lunch.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#ticket_status")).to_have_text("Open")
    ticket = Ticket.objects.get(subject="Yoghurt was mouldy")
    assert ticket.customer == member

    # Staff answer in the Wagtail admin, in their own browser session.
    staff_context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    staff = staff_context.new_page()
    staff.goto("/cms/login/")
    staff.fill("#id_username", "mktmanager")
    staff.fill("#id_password", MANAGER_PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    expect(staff).to_have_url(f"{live_server.url}/cms/")
    staff.goto("/cms/crm/complaints/")
    staff.get_by_role("link", name="Yoghurt was mouldy").click()
    staff.get_by_label("Reply to the member").fill("So sorry! Your refund is on its way.")
    staff.get_by_role("button", name="Send reply").click()
    expect(staff.locator("#ticket_status")).to_have_text("Answered")
    staff_context.close()

    page.reload()
    expect(page.locator("#ticket_thread .staff-reply")).to_contain_text(
        "So sorry! Your refund is on its way."
    )
    expect(page.locator("#ticket_status")).to_have_text("Answered")
    assert any(member.email in email.to and "So sorry!" in email.body for email in mail.outbox)
