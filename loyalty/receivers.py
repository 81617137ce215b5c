"""Signal receivers: thin callers of loyalty's services and tasks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from oscar.apps.customer.signals import user_registered
from oscar.apps.order.signals import order_status_changed

from loyalty import selectors
from loyalty.models import MemberCard
from loyalty.services import bonuses, ledger, redemption, tiers
from loyalty.signals import tier_changed
from loyalty.tasks import loyalty_tier_change_notify
from shop.apps.order.constants import ORDER_STATUS_CANCELLED, ORDER_STATUS_REFUNDED
from shop.apps.order.signals import order_paid, order_refunded

# Set by the invitation link (/member-card/invite/<code>/), read once the visitor registers.
REFERRAL_SESSION_KEY = "loyalty_referral_code"


@receiver(order_paid, dispatch_uid="loyalty.points_earn_for_paid_order")
def points_earn_for_paid_order(sender, order, **kwargs):
    # Inside order_mark_paid's transaction: the points commit (or roll back) with the payment.
    ledger.points_earn_for_order(order_id=order.pk)
    bonuses.referral_reward_for_order(order_id=order.pk)
    account = ledger.points_account_for_user(user=order.user) if order.user_id else None
    if account is not None:
        tiers.tier_recompute_for_account(account_id=account.pk)


@receiver(order_refunded, dispatch_uid="loyalty.points_reverse_for_refund")
def points_reverse_for_refund(sender, order, refund, **kwargs):
    ledger.points_reverse_for_refund(refund_id=refund.pk)
    account = ledger.points_account_for_user(user=order.user) if order.user_id else None
    if account is not None:
        tiers.tier_recompute_for_account(account_id=account.pk)


@receiver(order_status_changed, dispatch_uid="loyalty.points_release_for_cancelled_order")
def points_release_for_cancelled_order(sender, order, old_status, new_status, **kwargs):
    # A cancelled order, or one refunded in full, gives back the points it was paid with.
    if new_status in (ORDER_STATUS_CANCELLED, ORDER_STATUS_REFUNDED):
        redemption.points_redeem_release_for_order(order_id=order.pk)


@receiver(user_registered, dispatch_uid="loyalty.referral_register_on_sign_up")
def referral_register_on_sign_up(sender, request, user, **kwargs):
    code = request.session.pop(REFERRAL_SESSION_KEY, None) if request is not None else None
    if not code:
        return
    try:
        bonuses.referral_register(newcomer=user, code=code)
    except ValidationError as error:
        messages.warning(request, error.messages[0])


@receiver(tier_changed, dispatch_uid="loyalty.tier_change_notify_on_commit")
def tier_change_notify_on_commit(sender, account_id, **kwargs):
    # After the commit: the email reads the new tier, and a rolled-back change sends none.
    transaction.on_commit(lambda: loyalty_tier_change_notify.delay(account_id))


@receiver(pre_save, sender=MemberCard, dispatch_uid="loyalty.member_card_holder_remember")
def member_card_holder_remember(sender, instance, raw=False, update_fields=None, **kwargs):
    # A card handed to another holder changes two members' standing: keep the one it leaves
    # for the post_save below.
    if raw or instance.pk is None or (update_fields is not None and "user" not in update_fields):
        return
    instance._previous_user_id = (
        MemberCard.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    )


@receiver(
    [post_save, post_delete], sender=MemberCard, dispatch_uid="loyalty.member_standing_forget"
)
def member_standing_forget_for_card(sender, instance, **kwargs):
    selectors.member_standing_forget(
        user_ids=[instance.user_id, getattr(instance, "_previous_user_id", None)]
    )


@receiver(tier_changed, dispatch_uid="loyalty.member_standing_forget_for_tier")
def member_standing_forget_for_tier(sender, account_id, **kwargs):
    selectors.member_standing_forget(
        user_ids=MemberCard.objects.filter(account_id=account_id).values_list("user_id", flat=True)
    )
