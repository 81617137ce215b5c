"""Closing a customer's account from "Delete profile" (Oscar's view calls ``user.delete()``).

A member's card, wallet and points are the store's ledgers as much as the member's data: they
are kept (each movement is a record the accounts need), and deleting the account unlinks them
instead. The card becomes an unclaimed card again, as before it was claimed online, so the
points on it still work at the till for whoever holds it. What cannot be unlinked without
losing someone's money or a record the store must keep refuses the deletion, saying what to
do first.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.templatetags.currency_filters import currency

from credit.models import CreditAccount
from crm.models import PrivacyLog, Ticket
from crm.services import privacy_log
from loyalty.models import MemberCard, Referral
from preorders.models import Preorder
from wallet.models import Wallet
from wallet.selectors import wallet_get_for_user

# Pre-orders still holding money or a unit for the customer.
_PREORDER_OPEN = (
    Preorder.Status.RESERVED,
    Preorder.Status.AWAITING_RELEASE,
    Preorder.Status.CHARGED,
)


def profile_delete_refusal(*, user) -> str:
    """Why ``user``'s account cannot be deleted from the storefront now; "" when it can."""
    if user.is_staff or user.is_superuser:
        return _("A staff account is closed by an administrator, not from the shop.")
    wallet = wallet_get_for_user(user=user)
    if wallet is not None and wallet.balance:
        return _(
            "Your campus-card wallet holds %(balance)s. Spend it, or ask the store's service "
            "desk to refund it, before deleting your profile."
        ) % {"balance": currency(wallet.balance)}
    if Preorder.objects.filter(user=user, status__in=_PREORDER_OPEN).exists():
        return _(
            "You have a pre-order that is not handed over yet. Collect or cancel it before "
            "deleting your profile."
        )
    if CreditAccount.objects.filter(holder=user).exists():
        return _(
            "You hold a credit account. Ask the store to name another holder before deleting "
            "your profile."
        )
    if (
        Referral.objects.filter(referrer=user).exists()
        or Referral.objects.filter(newcomer=user).exists()
    ):
        # The referral bonuses in the points history name both members.
        return _(
            "Your points history includes a referral bonus, which the store must keep. Please "
            "ask the store's service desk to close your account."
        )
    return ""


@transaction.atomic
def profile_delete(*, user) -> None:
    """Delete ``user``'s account; the card, wallet, tickets and past pre-orders stay, unlinked.

    The privacy log records the deletion: the customer's id, when, and how many of each
    record the store kept without a name on it.

    Raises ``ValidationError`` (and changes nothing) when ``profile_delete_refusal`` says no.
    """
    refusal = profile_delete_refusal(user=user)
    if refusal:
        raise ValidationError(refusal, code="profile_delete_refused")
    kept_unlinked = {
        "loyalty.MemberCard": MemberCard.objects.filter(user=user).update(user=None),
        "wallet.Wallet": Wallet.objects.filter(user=user).update(user=None),
        "crm.Ticket": Ticket.objects.filter(customer=user).update(customer=None),
        "preorders.Preorder": Preorder.objects.filter(user=user).update(user=None),
    }
    user_id = user.pk
    user.delete()
    # The customer deleted their own account: there is no one left to name as its actor.
    privacy_log(
        action=PrivacyLog.Action.ACCOUNT_DELETE,
        actor=None,
        subject_user_id=user_id,
        detail={"kept_unlinked": {label: n for label, n in kept_unlinked.items() if n}},
    )
