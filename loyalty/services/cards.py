"""Member cards: issue, claim by a customer, loss, replacement, renewal, the PIN (change,
reset by email) and signing in with the card number and PIN."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.throttle import (
    throttle_attempt_claim,
    throttle_attempt_release,
    throttle_clear,
    throttle_failure_record,
    throttle_is_locked,
)
from loyalty import economy, selectors
from loyalty.models import MemberCard, MemberCardRenewal, MemberType, PointsAccount, Tier

admin_logger = logging.getLogger("loyalty.admin")


CARD_PIN_PATTERN = re.compile(r"\d{4,8}")


# Cards nothing may be done with until they are replaced (a lost card is frozen).
CARD_BLOCKED_STATUSES = frozenset(
    {MemberCard.Status.FROZEN, MemberCard.Status.LOST, MemberCard.Status.REPLACED}
)


def _pin_validate(*, pin: str) -> None:
    if not CARD_PIN_PATTERN.fullmatch(pin or ""):
        raise ValidationError(_("A PIN is 4 to 8 digits."), code="pin_invalid")


def _card_number_new() -> str:
    for _attempt in range(10):
        number = economy.card_number_for_serial(
            serial=secrets.randbelow(10**economy.CARD_SERIAL_DIGITS)
        )
        if not MemberCard.objects.filter(number=number).exists():
            return number
    raise RuntimeError("Could not find a free card number in 10 attempts.")


def _account_new() -> PointsAccount:
    # A new member starts in the lowest tier without being told about it.
    lowest = Tier.objects.order_by("minimum_spend").first()
    return PointsAccount.objects.create(tier=lowest, tier_notified=lowest)


@transaction.atomic
def card_issue(
    *,
    member_type_code: str,
    pin: str,
    user=None,
    campus_id: str = "",
    number: str | None = None,
    issued_on: dt.date | None = None,
) -> MemberCard:
    """Issue a new card with a new points account (``number`` given: demo and CSV imports)."""
    _pin_validate(pin=pin)
    member_type = MemberType.objects.filter(code=member_type_code).first()
    if member_type is None:
        raise ValidationError(
            _("Unknown member type “%(code)s”.") % {"code": member_type_code},
            code="member_type_unknown",
        )
    if user is not None and selectors.card_get_for_user(user=user) is not None:
        raise ValidationError(_("This customer already holds a member card."), code="user_has_card")
    number = economy.card_number_normalize(number=number) if number else _card_number_new()
    if MemberCard.objects.filter(number=number).exists():
        raise ValidationError(_("This card number is already in use."), code="card_number_taken")
    issued_on = issued_on or timezone.localdate()
    card = MemberCard(
        number=number,
        member_type=member_type,
        account=_account_new(),
        pin_hash=make_password(pin),
        issued_on=issued_on,
        expires_on=economy.years_later(day=issued_on, years=member_type.card_validity_years),
        user=user,
        campus_id=campus_id,
    )
    card.full_clean(exclude=["account", "member_type", "user", "replaced_by"])
    card.save()
    return card


@transaction.atomic
def card_claim(*, user, number: str, pin: str) -> MemberCard:
    """Link a card that was issued in store to the logged-in account (card number + PIN)."""
    number = economy.card_number_normalize(number=number)
    if not economy.luhn_is_valid(number=number):
        raise ValidationError(
            _("This is not a valid card number: please check the digits."), code="card_invalid"
        )
    card = MemberCard.objects.select_for_update().filter(number=number).first()
    if card is None or not check_password(pin or "", card.pin_hash):
        # One message for both: a guesser learns nothing about which numbers exist.
        raise ValidationError(_("The card number and PIN do not match."), code="card_pin_mismatch")
    if card.user_id == user.pk:
        return card
    if card.user_id is not None:
        raise ValidationError(
            _("This card is already linked to another account."), code="card_claimed"
        )
    if not card.is_usable():
        raise ValidationError(
            _("This card cannot be linked. %(reason)s")
            % {"reason": selectors.card_unusable_reason(card=card)},
            code="card_not_active",
        )
    if selectors.card_get_for_user(user=user) is not None:
        raise ValidationError(_("Your account already has a member card."), code="user_has_card")
    card.user = user
    card.save(update_fields=["user"])
    return card


@transaction.atomic
def card_report_lost(*, card_id: int) -> MemberCard:
    """Freeze a card reported lost: no member price, no points spending, no lookup on it."""
    card = MemberCard.objects.select_for_update().get(pk=card_id)
    if card.status not in (MemberCard.Status.ACTIVE, MemberCard.Status.FROZEN):
        raise ValidationError(
            _("Only an active or frozen card can be reported lost."), code="card_not_active"
        )
    card.status = MemberCard.Status.LOST
    card.save(update_fields=["status"])
    return card


@transaction.atomic
def card_replace(*, card_id: int, number: str | None = None, pin: str | None = None) -> MemberCard:
    """A new card for the same member.

    The new card points at the same points account, so points, pending points, tier and the
    whole history carry over without moving a row; the wallet belongs to the holder's
    customer account and carries over too. The member keeps the old PIN unless given a new one.
    """
    old = MemberCard.objects.select_for_update().get(pk=card_id)
    if old.status not in MemberCard.CURRENT_STATUSES:
        raise ValidationError(
            _("This card was already replaced or has expired."), code="card_not_replaceable"
        )
    if pin is not None:
        _pin_validate(pin=pin)
    number = economy.card_number_normalize(number=number) if number else _card_number_new()
    if MemberCard.objects.filter(number=number).exists():
        raise ValidationError(_("This card number is already in use."), code="card_number_taken")
    old.status = MemberCard.Status.REPLACED
    old.save(update_fields=["status"])
    today = timezone.localdate()
    new = MemberCard(
        number=number,
        member_type_id=old.member_type_id,
        account_id=old.account_id,
        pin_hash=make_password(pin) if pin is not None else old.pin_hash,
        issued_on=today,
        expires_on=max(old.expires_on, economy.years_later(day=today, years=1)),
        user_id=old.user_id,
        campus_id=old.campus_id,
    )
    new.full_clean(exclude=["account", "member_type", "user", "replaced_by"])
    new.save()
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


@transaction.atomic
def card_pin_change(*, card_id: int, old_pin: str, new_pin: str) -> MemberCard:
    card = MemberCard.objects.select_for_update().get(pk=card_id)
    if not check_password(old_pin or "", card.pin_hash):
        raise ValidationError(_("The current PIN is not correct."), code="pin_mismatch")
    _pin_validate(pin=new_pin)
    card.pin_hash = make_password(new_pin)
    card.save(update_fields=["pin_hash"])
    return card


# How far ahead staff may move a card's expiry date by hand.
CARD_RENEWAL_MAX_YEARS = 10


@transaction.atomic
def card_renew(*, card_id: int, renewed_by, expires_on: dt.date | None = None) -> MemberCardRenewal:
    """Move a card's expiry date forward, recording who did it and when.

    Without ``expires_on`` the card gets its member type's validity
    (``selectors.card_renewal_expiry_default``). A card marked expired becomes active again,
    unless the member holds another card in play by now. Frozen, lost and replaced cards are
    refused: they are replaced, not renewed.
    """
    if not selectors.card_renew_allowed(user=renewed_by):
        raise PermissionDenied(_("You are not allowed to renew member cards."))
    card = MemberCard.objects.select_for_update().select_related("member_type").get(pk=card_id)
    if not selectors.card_renewable(card=card):
        raise ValidationError(
            _("A %(status)s card cannot be renewed: it is replaced instead.")
            % {"status": card.get_status_shown_display().lower()},
            code="card_not_renewable",
        )
    today = timezone.localdate()
    if expires_on is None:
        expires_on = selectors.card_renewal_expiry_default(card=card, today=today)
    if expires_on <= today:
        raise ValidationError(
            _("Choose an expiry date after today."), code="renewal_date_not_future"
        )
    if expires_on <= card.expires_on:
        raise ValidationError(
            _("Choose an expiry date after the current one (%(date)s).")
            % {"date": card.expires_on},
            code="renewal_date_not_later",
        )
    if expires_on > economy.years_later(day=today, years=CARD_RENEWAL_MAX_YEARS):
        raise ValidationError(
            ngettext(
                "A card can be renewed for at most %(years)s year.",
                "A card can be renewed for at most %(years)s years.",
                CARD_RENEWAL_MAX_YEARS,
            )
            % {"years": CARD_RENEWAL_MAX_YEARS},
            code="renewal_date_too_far",
        )
    if card.status == MemberCard.Status.EXPIRED:
        if MemberCard.objects.current().filter(account_id=card.account_id).exists():
            raise ValidationError(
                _("The member holds another card by now: renew that one instead."),
                code="card_superseded",
            )
        card.status = MemberCard.Status.ACTIVE
    renewal = MemberCardRenewal.objects.create(
        card=card,
        previous_expires_on=card.expires_on,
        expires_on=expires_on,
        renewed_by=renewed_by,
    )
    card.expires_on = expires_on
    card.save(update_fields=["status", "expires_on"])
    admin_logger.info(
        "Card %s renewed by %s until %s", card.number, renewed_by.get_username(), expires_on
    )
    return renewal


CARD_LOOKUP_MAX_FAILURES = 5


CARD_LOOKUP_LOCK_SECONDS = 15 * 60


def _lookup_failure_keys(*, number: str, ip: str) -> list[str]:
    # Per card (a thief trying PINs from many places) and per IP (one place trying many cards).
    return [f"loyalty:pin-failures:card:{number}", f"loyalty:pin-failures:ip:{ip}"]


def card_authenticate(*, number: str, pin: str, ip: str) -> MemberCard:
    """Card number + PIN, for the lookup page and for claiming a card.

    Five wrong PINs lock the card, and the IP address, out for 15 minutes; the counters live
    in the cache (Redis in production) so every web worker shares them.
    """
    number = economy.card_number_normalize(number=number)
    keys = _lookup_failure_keys(number=number, ip=ip or "unknown")
    locked_message = _(
        "Too many wrong PINs: card lookup is locked for 15 minutes. Please try again later."
    )
    # Counted before the PIN is checked, so that PINs sent together cannot all slip in before
    # the first wrong one is counted; the lock runs for 15 minutes from the last try.
    attempts = throttle_attempt_claim(
        keys=keys, limit=CARD_LOOKUP_MAX_FAILURES, window_seconds=CARD_LOOKUP_LOCK_SECONDS
    )
    if attempts is None:
        raise ValidationError(locked_message, code="lookup_locked")
    card = (
        MemberCard.objects.select_related("account__tier", "member_type")
        .filter(number=number)
        .first()
        if economy.luhn_is_valid(number=number)
        else None
    )
    if card is None or not check_password(pin or "", card.pin_hash):
        if attempts >= CARD_LOOKUP_MAX_FAILURES:
            raise ValidationError(locked_message, code="lookup_locked")
        raise ValidationError(
            ngettext(
                "The card number and PIN do not match (%(left)s try left).",
                "The card number and PIN do not match (%(left)s tries left).",
                CARD_LOOKUP_MAX_FAILURES - attempts,
            )
            % {"left": CARD_LOOKUP_MAX_FAILURES - attempts},
            code="card_pin_mismatch",
        )
    # The right PIN is no failure: the address gets its try back, the card forgets them all.
    throttle_attempt_release(keys=keys[1:])
    throttle_clear(keys=keys[:1])
    if card.status == MemberCard.Status.REPLACED:
        raise ValidationError(
            _("This card was replaced: please use your new card."), code="card_replaced"
        )
    if card.status in (MemberCard.Status.LOST, MemberCard.Status.FROZEN):
        raise ValidationError(
            _("This card is frozen. Please ask at the store desk."), code="card_frozen"
        )
    return card


def card_sign_in_user(*, number: str, pin: str, ip: str):
    """The customer account a member signs in to with card number + PIN (the login forms).

    The PIN is checked by ``card_authenticate``, so the card's own failure counter (per card,
    from any address) guards a 4-digit PIN on the login form as it does on the lookup page.
    Only a usable card signs in (``MemberCard.is_usable``: active and in date). Staff accounts
    are never opened with a PIN: their privileges need their password.
    """
    card = card_authenticate(number=number, pin=pin, ip=ip)
    if not card.is_usable():
        # The lookup still shows an expired card's history; signing in takes a usable card.
        raise ValidationError(
            _("This card cannot sign in. %(reason)s")
            % {"reason": selectors.card_unusable_reason(card=card)},
            code="card_not_usable",
        )
    user = card.user
    if user is None:
        raise ValidationError(
            _(
                "This card is not linked to an online account yet. Register with your email "
                "address, then link the card on your account page."
            ),
            code="card_unclaimed",
        )
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            _("Staff accounts sign in with their password, not with a member card."),
            code="card_staff_account",
        )
    if not user.is_active:
        raise ValidationError(
            _("The account of this card is closed. Please ask at the store desk."),
            code="card_account_inactive",
        )
    return user


PIN_RESET_SALT = "loyalty.card-pin-reset"


PIN_RESET_MAX_AGE_SECONDS = 60 * 60


PIN_RESET_MAX_REQUESTS = 5


def _pin_reset_fingerprint(*, card: MemberCard) -> str:
    # Changes with the PIN: a link stops working once it was used (single use) and when
    # the PIN was changed some other way.
    return salted_hmac(PIN_RESET_SALT, f"{card.pk}:{card.pin_hash}").hexdigest()[:32]


def card_pin_reset_token_make(*, card: MemberCard) -> str:
    return signing.dumps(
        {"card": card.pk, "fingerprint": _pin_reset_fingerprint(card=card)}, salt=PIN_RESET_SALT
    )


def card_pin_reset_card_for_token(*, token: str, for_update: bool = False) -> MemberCard:
    """The card a reset link is for; ValidationError if forged, expired or already used."""
    invalid = ValidationError(
        _(
            "This PIN reset link is invalid, has expired or was already used. "
            "Please ask for a new one."
        ),
        code="pin_reset_link_invalid",
    )
    try:
        data = signing.loads(token, salt=PIN_RESET_SALT, max_age=PIN_RESET_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise invalid from exc
    cards = MemberCard.objects.select_for_update() if for_update else MemberCard.objects
    card = cards.filter(pk=data.get("card")).first()
    if (
        card is None
        or card.status == MemberCard.Status.REPLACED
        or not constant_time_compare(
            _pin_reset_fingerprint(card=card), str(data.get("fingerprint", ""))
        )
    ):
        raise invalid
    return card


def card_pin_reset_request(*, number: str, ip: str, link_for_token: Callable[[str], str]) -> None:
    """Email a reset link to the card holder's address, if there is one; silent otherwise.

    The caller shows the same answer whatever happened, so the page does not tell which
    card numbers exist or have an email. Throttled like the lookup: five requests per card
    and per IP address in 15 minutes.
    """
    number = economy.card_number_normalize(number=number)
    keys = [f"loyalty:pin-reset:card:{number}", f"loyalty:pin-reset:ip:{ip or 'unknown'}"]
    if throttle_is_locked(keys=keys, limit=PIN_RESET_MAX_REQUESTS):
        raise ValidationError(
            _("Too many PIN reset requests: please try again in 15 minutes."),
            code="pin_reset_locked",
        )
    throttle_failure_record(
        keys=keys, limit=PIN_RESET_MAX_REQUESTS, window_seconds=CARD_LOOKUP_LOCK_SECONDS
    )
    if not economy.luhn_is_valid(number=number):
        return
    card = (
        MemberCard.objects.current()
        .select_related("user")
        .filter(number=number, user__isnull=False)
        .first()
    )
    if card is None or not card.user.email:
        return
    context = {
        "user": card.user,
        "card": card,
        "link": link_for_token(card_pin_reset_token_make(card=card)),
        "hours": PIN_RESET_MAX_AGE_SECONDS // 3600,
    }
    send_mail(
        subject=render_to_string("loyalty/emails/pin_reset_subject.txt", context).strip(),
        message=render_to_string("loyalty/emails/pin_reset_body.txt", context),
        from_email=None,
        recipient_list=[card.user.email],
    )


@transaction.atomic
def card_pin_reset_confirm(*, token: str, new_pin: str) -> MemberCard:
    """Set a new PIN from a reset link; the link is dead afterwards (the PIN hash changed)."""
    # Checked under the card's lock: of two tabs posting the same link, one wins.
    card = card_pin_reset_card_for_token(token=token, for_update=True)
    _pin_validate(pin=new_pin)
    card.pin_hash = make_password(new_pin)
    card.save(update_fields=["pin_hash"])
    # A member who forgot the PIN has probably locked the lookup trying: unlock the card.
    throttle_clear(keys=_lookup_failure_keys(number=card.number, ip="")[:1])
    return card
