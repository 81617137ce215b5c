"""Celery tasks: thin, idempotent callers of crm.services (each takes ids)."""

from celery import shared_task

from crm import services


@shared_task(name="crm.ticket_message_notify")
def crm_ticket_message_notify(message_id: int) -> bool:
    # Idempotent: the message's notified_at is set under lock with the email.
    return services.ticket_message_notify(message_id=message_id)


@shared_task(name="crm.tickets_escalate_overdue")
def crm_tickets_escalate_overdue() -> int:
    # Idempotent: a ticket's escalated_at is set once.
    return services.tickets_escalate_overdue()


@shared_task(name="crm.survey_send_for_order")
def crm_survey_send_for_order(order_id: int) -> bool:
    invitation = services.survey_invitation_for_order(order_id=order_id)
    if invitation is None:
        return False
    return services.survey_send(invitation_id=invitation.pk)


@shared_task(name="crm.survey_send")
def crm_survey_send(invitation_id: int) -> bool:
    return services.survey_send(invitation_id=invitation_id)


@shared_task(name="crm.surveys_send_due")
def crm_surveys_send_due() -> int:
    # Idempotent: an order has one invitation, sent once.
    return services.surveys_send_due()
