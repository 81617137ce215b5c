"""A campaign email reads well in both parts: one product a line in the text, valid HTML, a
greeting without a name when the member has none."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from marketing import services
from marketing.models import Campaign, CampaignRecipient
from tests.factories.marketing import rule_segment

pytestmark = pytest.mark.django_db

PRODUCTS = [
    ("Whole Milk", "http://127.0.0.1:8000/catalogue/whole-milk_1/"),
    ("Mixed Vegetables", "http://127.0.0.1:8000/catalogue/mixed-vegetables_2/"),
    ("Rolls & Buns", "http://127.0.0.1:8000/catalogue/rolls-buns_3/"),
]


@pytest.fixture
def recommended(monkeypatch):
    monkeypatch.setattr(services, "_recommendation_lines", lambda *, user: PRODUCTS)


def _person(*, first_name: str = "", last_name: str = ""):
    return get_user_model().objects.create_user(
        username=f"u{first_name or 'anon'}",
        email=f"{first_name or 'anon'}@campus.example",
        first_name=first_name,
        last_name=last_name,
    )


def _email(*, user, body: str, subject: str = "Hello {name}"):
    campaign = Campaign.objects.create(
        name="Picks",
        segment=rule_segment(
            name="All", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
        ),
        subject=subject,
        body=body,
        created_by=user,
        control_percent=0,
    )
    recipient = CampaignRecipient.objects.create(campaign=campaign, user=user)
    return services.campaign_email_render(recipient=recipient)


def test_text_part_lists_one_product_a_line_unescaped(recommended):
    user = _person(first_name="Li", last_name="Wei")

    _subject, text, _html = _email(
        user=user, body="<p>Hello {name},</p><p>Picked for you: {recommendations}</p><p>Bye</p>"
    )

    lines = text.splitlines()
    assert "Hello Li Wei," in lines
    for title, _url in PRODUCTS:
        assert any(line.startswith(f"- {title} (http") for line in lines), (title, text)
    assert "&amp;" not in text
    assert "MilkMixed" not in text and "VegetablesRolls" not in text


def test_html_part_never_nests_the_list_in_a_paragraph(recommended):
    user = _person(first_name="Li")

    _subject, _text, html = _email(
        user=user, body="<p>Hello {name},</p><p>Picked for you: {recommendations}</p><p>Bye</p>"
    )

    assert "<ul>" in html and html.count("<li>") == 3
    assert not re.search(r"<p[^>]*>(?:(?!</p>).)*<ul>", html, re.S)
    assert "<p>Picked for you: </p><ul>" in html
    assert "<p></p>" not in html


def test_a_member_without_a_name_is_greeted_without_one(recommended):
    user = _person()

    subject, text, html = _email(
        user=user, subject="Hello {name}, fresh picks", body="<p>Hello {name},</p><p>Bye</p>"
    )

    assert subject == "Hello, fresh picks"
    assert "Hello," in text.splitlines()
    assert "<p>Hello,</p>" in html
    assert "member" not in subject and "Hello member" not in text and "{name}" not in html


def test_test_send_to_a_member_delivers_both_parts(recommended):
    user = _person(first_name="Li")
    campaign = Campaign.objects.create(
        name="Picks",
        segment=rule_segment(
            name="All", rules=[{"field": "member_type", "operator": "eq", "value": "student"}]
        ),
        subject="Hello {name}",
        body="<p>{recommendations}</p>",
        created_by=user,
        control_percent=0,
    )

    services.campaign_test_send(campaign_id=campaign.pk, user=user)

    message = mail.outbox[0]
    assert "- Rolls & Buns (http://127.0.0.1:8000/catalogue/rolls-buns_3/)" in message.body
    assert "<p><ul>" not in message.alternatives[0][0]
