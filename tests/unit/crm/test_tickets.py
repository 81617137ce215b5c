"""Complaints: deadlines from the category, escalation once, replies emailed, closing."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm import services
from crm.models import SurveyInvitation, SurveySettings, Ticket
from tests.factories.crm import (
    CustomerFactory,
    TicketCategoryFactory,
    marketing_manager,
    ticket,
)
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_first_reply_deadline_comes_from_the_category():
    filed = timezone.now()
    category = TicketCategoryFactory(name="Food safety", first_reply_hours=4)
    complaint = ticket(category=category, now=filed)
    assert complaint.first_reply_due_at == filed + dt.timedelta(hours=4)
    assert not complaint.is_overdue


def test_overdue_tickets_are_escalated_once_and_managers_are_emailed():
    manager = marketing_manager()
    filed = timezone.now() - dt.timedelta(hours=30)
    overdue = ticket(category=TicketCategoryFactory(first_reply_hours=24), now=filed)
    on_time = ticket(category=TicketCategoryFactory(first_reply_hours=48), now=filed)
    answered = ticket(category=TicketCategoryFactory(first_reply_hours=1), now=filed)
    services.ticket_reply(ticket_id=answered.pk, author=manager, body="Sorry!", now=filed)
    mail.outbox.clear()

    assert services.tickets_escalate_overdue() == 1
    assert services.tickets_escalate_overdue() == 0  # idempotent: escalated once

    overdue.refresh_from_db()
    on_time.refresh_from_db()
    assert overdue.escalated_at is not None and overdue.is_overdue
    assert on_time.escalated_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [manager.email]
    assert f"#{overdue.pk}" in mail.outbox[0].subject


def test_a_late_first_reply_still_counts_as_late_but_is_no_longer_overdue():
    manager = marketing_manager()
    filed = timezone.now() - dt.timedelta(hours=30)
    complaint = ticket(category=TicketCategoryFactory(first_reply_hours=24), now=filed)
    services.ticket_reply(ticket_id=complaint.pk, author=manager, body="We are on it.")
    complaint.refresh_from_db()
    assert not complaint.is_overdue
    assert complaint.first_replied_at > complaint.first_reply_due_at
    assert services.tickets_escalate_overdue() == 0


def test_staff_reply_emails_the_member_once_and_sets_the_status(
    django_capture_on_commit_callbacks,
):
    manager = marketing_manager()
    customer = CustomerFactory(email="member@campus.example")
    complaint = ticket(customer=customer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_reply(ticket_id=complaint.pk, author=manager, body="Refund sent.")

    complaint.refresh_from_db()
    assert complaint.status == Ticket.Status.ANSWERED
    assert complaint.assigned_to == manager
    assert [email.to for email in mail.outbox] == [["member@campus.example"]]
    assert "Refund sent." in mail.outbox[0].body
    assert services.ticket_message_notify(message_id=message.pk) is False  # already sent
    assert len(mail.outbox) == 1


def test_resolution_then_satisfaction_closes_and_queues_the_ticket_survey(
    django_capture_on_commit_callbacks,
):
    settings_row = SurveySettings.load()
    settings_row.after_ticket = True
    settings_row.save()
    manager = marketing_manager()
    customer = CustomerFactory()
    complaint = ticket(customer=customer)
    with pytest.raises(ValidationError):
        services.ticket_close(ticket_id=complaint.pk, satisfaction=4)  # not resolved yet

    services.ticket_resolve(ticket_id=complaint.pk, author=manager, resolution="Replaced.")
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.ticket_close(ticket_id=complaint.pk, satisfaction=9)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_close(ticket_id=complaint.pk, satisfaction=4)

    complaint.refresh_from_db()
    assert complaint.status == Ticket.Status.CLOSED and complaint.satisfaction == 4
    survey = SurveyInvitation.objects.get(ticket=complaint)
    assert survey.trigger == SurveyInvitation.Trigger.TICKET and survey.sent_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [customer.email]


def test_member_reply_reopens_an_answered_ticket():
    manager = marketing_manager()
    customer = CustomerFactory()
    complaint = ticket(customer=customer)
    services.ticket_reply(ticket_id=complaint.pk, author=manager, body="Done?")
    services.ticket_member_reply(ticket_id=complaint.pk, author=customer, body="Not yet.")
    complaint.refresh_from_db()
    assert complaint.status == Ticket.Status.OPEN


def test_oversized_photo_is_refused_with_a_clear_error_and_nothing_is_saved():
    big = SimpleUploadedFile(
        "big.png", PNG_BYTES + b"0" * (services.TICKET_PHOTO_MAX_BYTES + 1), "image/png"
    )
    with pytest.raises(ValidationError, match="too large"):
        ticket(photo=big)
    assert not Ticket.objects.exists()


def test_a_photo_that_is_not_an_image_type_is_refused():
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        ticket(photo=SimpleUploadedFile("notes.pdf", b"%PDF-1.4", "application/pdf"))
    assert not Ticket.objects.exists()


def test_a_complaint_from_the_card_lookup_keeps_the_card_and_its_holder():
    customer = CustomerFactory()
    card = member_card(user=customer)
    complaint = services.ticket_create(
        category_id=TicketCategoryFactory().pk,
        subject="Till overcharged",
        body="Charged twice",
        card=card,
    )
    assert complaint.card == card and complaint.customer == customer


def test_an_order_of_someone_else_is_refused():
    from tests.factories.loyalty import paid_order

    other_order = paid_order(user=CustomerFactory(), price="5.00")
    with pytest.raises(ValidationError, match="not yours"):
        ticket(customer=CustomerFactory(), order_id=other_order.pk)
    assert not Ticket.objects.exists()
