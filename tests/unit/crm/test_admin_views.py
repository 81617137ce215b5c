"""The CRM screens in /cms/: who sees what, the profile panels hook, logged exports."""

import pytest
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks

from crm import services
from crm.models import PrivacyLog
from tests.factories.crm import (
    CustomerFactory,
    marketing_manager,
    profile_viewer,
    ticket,
)
from tests.factories.loyalty import member_card, paid_order

pytestmark = pytest.mark.django_db


class _Panel:
    def __init__(self, user):
        self.user = user

    def render_html(self, request):
        return format_html('<div id="test_panel">Panel for {}</div>', self.user.pk)


def test_profile_shows_identity_card_orders_and_hook_panels(client):
    viewer = profile_viewer()
    customer = CustomerFactory(first_name="Mei", last_name="Zhang")
    card = member_card(user=customer)
    order = paid_order(user=customer, price="18.00")
    ticket(customer=customer, subject="Broken eggs")
    client.force_login(viewer)

    with hooks.register_temporarily("crm_profile_panels", lambda request, user: _Panel(user)):
        response = client.get(reverse("crm_customers:profile", args=[customer.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mei Zhang" in html and card.number in html and order.number in html
    assert "Broken eggs" in html
    assert f'<div id="test_panel">Panel for {customer.pk}</div>' in html
    # A viewer sees no export or merge.
    assert "profile_export" not in html and 'id="merge_form"' not in html


def test_a_panel_hook_returning_none_adds_nothing(client):
    client.force_login(profile_viewer())
    customer = CustomerFactory()
    url = reverse("crm_customers:profile", args=[customer.pk])
    # Marketing's own panel is there for marketing staff; the hook must add none beside it.
    panels = client.get(url).content.decode().count("crm-hook-panel")
    with hooks.register_temporarily("crm_profile_panels", lambda request, user: None):
        response = client.get(url)
    assert response.content.decode().count("crm-hook-panel") == panels


def test_only_managers_export_personal_data_and_every_export_is_logged(client):
    customer = CustomerFactory(email="private@campus.example")
    url = reverse("crm_customers:profile", args=[customer.pk]) + "?export=csv"

    client.force_login(profile_viewer())
    refused = client.get(url)
    # Wagtail answers a PermissionDenied in /cms/ with a redirect to the dashboard.
    assert refused.status_code in (302, 403)
    assert refused.get("Content-Type", "").startswith("text/html")
    assert not PrivacyLog.objects.exists()

    manager = marketing_manager()
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert "private@campus.example" in response.content.decode()
    log = PrivacyLog.objects.get()
    assert log.action == PrivacyLog.Action.EXPORT and log.actor == manager
    assert log.subject_user_id == customer.pk


def test_customers_without_the_permission_are_refused(client):
    client.force_login(CustomerFactory())
    assert client.get(reverse("crm_customers:index")).status_code in (302, 403)


def test_manager_merges_from_the_profile(client):
    manager = marketing_manager()
    keep, duplicate = CustomerFactory(), CustomerFactory()
    order = paid_order(user=duplicate, price="7.00")
    client.force_login(manager)
    response = client.post(
        reverse("crm_customers:profile", args=[keep.pk]),
        {"action": "merge", "merge_user_id": duplicate.pk, "confirm": "on"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.user_id == keep.pk
    assert PrivacyLog.objects.filter(action=PrivacyLog.Action.MERGE).exists()


def test_staff_reply_from_the_admin_reaches_the_member_thread(client):
    manager = marketing_manager()
    customer = CustomerFactory()
    complaint = ticket(customer=customer)
    client.force_login(manager)
    response = client.post(
        reverse("crm_tickets:edit", args=[complaint.pk]), {"body": "A new carton is waiting."}
    )
    assert response.status_code == 302

    client.force_login(customer)
    page = client.get(reverse("crm-support:ticket", args=[complaint.pk]))
    assert "A new carton is waiting." in page.content.decode()
    # Someone else's ticket is not found.
    client.force_login(CustomerFactory())
    assert client.get(reverse("crm-support:ticket", args=[complaint.pk])).status_code == 404


def test_member_files_a_complaint_from_the_account(client):
    from tests.factories.crm import TicketCategoryFactory

    category = TicketCategoryFactory(name="Product quality", first_reply_hours=24)
    customer = CustomerFactory()
    client.force_login(customer)
    response = client.post(
        reverse("crm-support:ticket-create"),
        {"category": category.pk, "order": "", "subject": "Stale bread", "body": "Hard as rock"},
    )
    assert response.status_code == 302
    assert customer.crm_tickets.get().subject == "Stale bread"


def test_oversized_upload_shows_a_clear_error(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.crm import TicketCategoryFactory

    category = TicketCategoryFactory()
    customer = CustomerFactory()
    client.force_login(customer)
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (services.TICKET_PHOTO_MAX_BYTES + 10), "image/jpeg"
    )
    response = client.post(
        reverse("crm-support:ticket-create"),
        {"category": category.pk, "subject": "x", "body": "y", "photo": big},
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not customer.crm_tickets.exists()


@pytest.mark.parametrize("name", ["crm_reports:index", "crm_kpis:index", "crm_tickets:index"])
def test_report_pages_render_for_marketing(client, name):
    customer = CustomerFactory()
    member_card(user=customer)
    paid_order(user=customer, price="11.00")
    client.force_login(profile_viewer())
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_report_csv_export_is_logged(client):
    customer = CustomerFactory()
    paid_order(user=customer, price="11.00")
    client.force_login(profile_viewer())
    response = client.get(reverse("crm_reports:index") + "?period=month&export=sales")
    assert response["Content-Type"].startswith("text/csv")
    assert "Revenue" in response.content.decode()
    assert PrivacyLog.objects.filter(detail__what="report:sales").exists()


def test_member_files_a_complaint_from_the_card_lookup_session(client):
    import time

    from loyalty.card_views import LOOKUP_SESSION_KEY
    from tests.factories.crm import TicketCategoryFactory

    category = TicketCategoryFactory()
    card = member_card(user=None)
    session = client.session
    session[LOOKUP_SESSION_KEY] = {"card_id": card.pk, "until": time.time() + 600}
    session.save()

    assert client.get(reverse("crm-support:ticket-create")).status_code == 200
    response = client.post(
        reverse("crm-support:ticket-create"),
        {
            "category": category.pk,
            "subject": "Till receipt wrong",
            "body": "Two bottles, one bought",
        },
    )
    assert response.status_code == 302
    complaint = card.crm_tickets.get()
    assert complaint.customer is None
    # The same lookup session sees its thread; nobody else does.
    assert client.get(reverse("crm-support:ticket", args=[complaint.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("crm-support:ticket", args=[complaint.pk])).status_code == 302


def test_admin_menu_shows_the_crm_to_managers(client):
    client.force_login(marketing_manager())
    response = client.get("/cms/")
    assert response.status_code == 200
    assert reverse("crm_reports:index") in response.content.decode()
    assert reverse("crm_privacy_log:index") in response.content.decode()
    assert client.get(reverse("crm_privacy_log:index")).status_code == 200


def test_loyalty_value_matrix_reads_the_marketing_value_groups():
    from django.apps import apps

    from crm import selectors

    if not apps.is_installed("marketing"):
        pytest.skip("marketing app not installed")
    from django.utils import timezone

    from crm.models import SurveyInvitation
    from marketing.models import CustomerValue

    customer = CustomerFactory()
    order = paid_order(user=customer, price="5.00")
    now = timezone.now()
    CustomerValue.objects.create(
        user=customer,
        as_of=now.date(),
        first_order_at=now,
        last_order_at=now,
        recency_days=1,
        frequency=1,
        monetary="5.00",
        recency_score=5,
        frequency_score=1,
        monetary_score=1,
        value_group="growth",
        lifecycle="new",
        margin_rate="0.2000",
        clv_historical="1.00",
        clv_expected="1.00",
        clv_total="2.00",
    )
    SurveyInvitation.objects.create(
        customer=customer, trigger="order", order=order, score=10, answered_at=now
    )
    matrix = selectors.loyalty_value_matrix(rows=selectors.survey_scores_by_value_group())
    assert matrix["growth"]["promoter"] == 1 and matrix["growth"]["nps"] == 100
