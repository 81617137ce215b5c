"""Signal receivers: thin callers that queue CRM work after the paying transaction commits."""

from django.db import transaction
from django.dispatch import receiver

from crm.models import SurveySettings
from crm.tasks import crm_survey_send_for_order
from shop.apps.order.signals import order_paid


@receiver(order_paid, dispatch_uid="crm.survey_after_paid_order")
def survey_after_paid_order(sender, order, **kwargs):
    if order.user_id is None:
        return
    rules = SurveySettings.load()
    if not rules.after_order:
        return
    order_id = order.pk
    countdown = rules.order_delay_hours * 3600
    # After commit: a rolled-back payment must not survey anyone. The task itself decides
    # sampling and is idempotent per order.
    transaction.on_commit(
        lambda: crm_survey_send_for_order.apply_async(args=[order_id], countdown=countdown)
    )
