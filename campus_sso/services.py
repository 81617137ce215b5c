"""Campus single sign-on rules: which account a campus login gets, and which member card.

The identity provider (``backends.py``) only proves who the person is; everything the store
decides about that person is here, so it is the same whatever protocol the campus portal speaks
and can be tested without one.
"""

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_sso.models import CampusIdentity
from campus_sso.selectors import campus_id_normalize
from loyalty.models import MemberCard
from loyalty.selectors import card_get_for_user, card_unusable_reason

CAMPUS_ID_MAX_LENGTH = CampusIdentity._meta.get_field("campus_id").max_length


class CardLinkOutcome(StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"
    NO_CARD = "no_card"
    CLAIMED_BY_OTHER = "claimed_by_other"
    CARD_NOT_ACTIVE = "card_not_active"
    USER_HAS_CARD = "user_has_card"


@dataclass(frozen=True)
class CardLink:
    outcome: CardLinkOutcome
    card: MemberCard | None
    # What the member should be told after logging in; empty when there is nothing to say.
    message: str = ""


@dataclass(frozen=True)
class CampusLogin:
    user: object
    first_login: bool
    card_link: CardLink


def _card_number_masked(number: str) -> str:
    # The message may be about someone else's card: show only enough for the desk to find it.
    return "…" + number[-4:]


@transaction.atomic
def campus_card_link(*, user, campus_id: str) -> CardLink:
    """Link the member card that carries this campus ID to the account, if that is safe.

    The campus portal vouching for the campus ID stands in for the card PIN of
    ``loyalty.services.cards.card_claim``; every other rule of claiming a card is the same: a card
    linked to another account is never taken from it, and only a usable card
    (``MemberCard.is_usable``: active and in date) is linked.
    """
    campus_id = campus_id_normalize(campus_id=campus_id)
    card = (
        MemberCard.objects.select_for_update()
        .current()
        .filter(campus_id__iexact=campus_id)
        .order_by("-issued_on", "-pk")
        .first()
    )
    if card is None:
        return CardLink(outcome=CardLinkOutcome.NO_CARD, card=None)
    if card.user_id == user.pk:
        return CardLink(outcome=CardLinkOutcome.ALREADY_LINKED, card=card)
    if card.user_id is not None:
        return CardLink(
            outcome=CardLinkOutcome.CLAIMED_BY_OTHER,
            card=None,
            message=_(
                "The member card for your campus ID (%(number)s) is already linked to another "
                "account, so it was not linked to this one. Please ask at the store's service "
                "desk."
            )
            % {"number": _card_number_masked(card.number)},
        )
    if not card.is_usable():
        return CardLink(
            outcome=CardLinkOutcome.CARD_NOT_ACTIVE,
            card=None,
            message=_("Your member card (%(number)s) was not linked to your account. %(reason)s")
            % {
                "number": _card_number_masked(card.number),
                "reason": card_unusable_reason(card=card),
            },
        )
    if card_get_for_user(user=user) is not None:
        return CardLink(
            outcome=CardLinkOutcome.USER_HAS_CARD,
            card=None,
            message=_(
                "Your account already has a member card, so the card for your campus ID "
                "(%(number)s) was not linked. Please ask at the store's service desk."
            )
            % {"number": _card_number_masked(card.number)},
        )
    card.user = user
    card.save(update_fields=["user"])
    return CardLink(
        outcome=CardLinkOutcome.LINKED,
        card=card,
        message=_("Your member card %(number)s is now linked to your account.")
        % {"number": card.number},
    )


def _username_for(campus_id: str) -> str:
    User = get_user_model()
    # Oscar logs people in by email; the username only has to be unique and readable in admin.
    base = "campus-" + re.sub(r"[^\w.@+-]", "_", campus_id)[:100]
    username = base
    while User.objects.filter(username=username).exists():
        username = f"{base}-{secrets.token_hex(3)}"
    return username


def _account_for_new_identity(*, campus_id: str, email: str, first_name: str, last_name: str):
    User = get_user_model()
    if email:
        existing = User.objects.filter(email__iexact=email).select_related("campus_identity")
        existing = existing.first()
        if existing is not None:
            # Someone who registered with their campus email before SSO keeps that account
            # (orders, wallet, card): the campus portal vouches for the address.
            if hasattr(existing, "campus_identity"):
                raise ValidationError(
                    _(
                        "The store account for %(email)s is linked to a different campus ID. "
                        "Please ask at the store's service desk."
                    )
                    % {"email": email},
                    code="email_linked_to_other_campus_id",
                )
            return existing
    return User.objects.create_user(
        _username_for(campus_id),
        email=email,
        first_name=first_name[:150],
        last_name=last_name[:150],
    )


@transaction.atomic
def campus_login(
    *, campus_id: str, email: str = "", first_name: str = "", last_name: str = ""
) -> CampusLogin:
    """The account for a person the campus portal has just authenticated.

    First login creates the account (no separate registration) and links the member card
    carrying the campus ID; later logins find the same account by campus ID, even if the
    email changed, and retry the card link (a card may have been issued in between).
    """
    campus_id = campus_id_normalize(campus_id=campus_id)
    if not campus_id:
        raise ValidationError(
            _("The campus portal did not send a campus ID, so you cannot be logged in."),
            code="campus_id_missing",
        )
    if len(campus_id) > CAMPUS_ID_MAX_LENGTH:
        raise ValidationError(
            _("The campus ID sent by the campus portal is too long."), code="campus_id_too_long"
        )
    email = (email or "").strip()
    identity = (
        CampusIdentity.objects.select_for_update()
        .select_related("user")
        .filter(campus_id=campus_id)
        .first()
    )
    first_login = identity is None
    if identity is None:
        user = _account_for_new_identity(
            campus_id=campus_id, email=email, first_name=first_name, last_name=last_name
        )
        identity = CampusIdentity(user=user, campus_id=campus_id)
    identity.last_login_at = timezone.now()
    identity.save()
    card_link = campus_card_link(user=identity.user, campus_id=campus_id)
    return CampusLogin(user=identity.user, first_login=first_login, card_link=card_link)
