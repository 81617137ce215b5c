"""The CSV import of member cards in /cms/: every row checked first, then all written or
none."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class

from loyalty import economy, selectors
from loyalty.models import MemberCard, MemberType
from loyalty.services.cards import CARD_PIN_PATTERN, card_issue

admin_logger = logging.getLogger("loyalty.admin")


CARDS_IMPORT_COLUMNS = (
    "card_number",
    "member_type",
    "name",
    "email",
    "campus_id",
    "issued_on",
    "expires_on",
    "pin",
)


CARDS_IMPORT_REQUIRED_COLUMNS = ("member_type",)


CARDS_IMPORT_MAX_ROWS = 5000


CARDS_IMPORT_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CardImportError:
    row: int  # the line in the file, header = 1
    column: str
    message: str


@dataclass
class CardImportRow:
    row: int
    card_number: str
    member_type_code: str
    first_name: str
    last_name: str
    email: str
    campus_id: str
    issued_on: dt.date | None
    expires_on: dt.date | None
    pin: str
    pin_generated: bool


@dataclass
class CardImportResult:
    rows: list[CardImportRow]
    errors: list[CardImportError]
    dry_run: bool
    cards: list[MemberCard]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> int:
        return 0 if self.dry_run or self.errors else len(self.cards)


def _import_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _cards_import_parse(*, content: bytes) -> tuple[list[CardImportRow], list[CardImportError]]:
    """Read and check every row; nothing is written here."""
    errors: list[CardImportError] = []
    if len(content) > CARDS_IMPORT_MAX_BYTES:
        return [], [CardImportError(0, "", _("The file is larger than 2 MB."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [CardImportError(0, "", _("The file is not UTF-8 text."))]
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in CARDS_IMPORT_REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in CARDS_IMPORT_COLUMNS]
    for column in missing:
        errors.append(CardImportError(1, column, _("This column is missing.")))
    for column in unknown:
        errors.append(CardImportError(1, column, _("Unknown column.")))
    if errors:
        return [], errors

    member_types = set(MemberType.objects.values_list("code", flat=True))
    rows: list[CardImportRow] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_campus_ids: dict[str, int] = {}
    today = timezone.localdate()
    for line_number, raw in enumerate(reader, start=2):
        if line_number - 1 > CARDS_IMPORT_MAX_ROWS:
            errors.append(
                CardImportError(
                    line_number,
                    "",
                    _("At most %(max)s rows per file.") % {"max": CARDS_IMPORT_MAX_ROWS},
                )
            )
            break
        if None in raw:
            errors.append(CardImportError(line_number, "", _("This row has too many values.")))
            continue
        values = {column: (raw.get(column) or "").strip() for column in CARDS_IMPORT_COLUMNS}
        if not any(values.values()):
            continue  # a blank line

        def error(column: str, message: str, line: int = line_number) -> None:
            errors.append(CardImportError(line, column, message))

        number = economy.card_number_normalize(number=values["card_number"])
        if values["card_number"]:
            if not economy.card_number_is_valid(number=number):
                error("card_number", _("Not a valid card number (16 digits, check digit)."))
            elif number in seen_numbers:
                error(
                    "card_number",
                    _("Card number repeated (first on row %(row)s).")
                    % {"row": seen_numbers[number]},
                )
            else:
                seen_numbers[number] = line_number
        if not values["member_type"]:
            error("member_type", _("A member type is required."))
        elif values["member_type"] not in member_types:
            error(
                "member_type",
                _("Unknown member type “%(code)s”.") % {"code": values["member_type"]},
            )
        email = values["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error("email", _("Not a valid email address."))
            else:
                if email in seen_emails:
                    error(
                        "email",
                        _("Email repeated (first on row %(row)s).") % {"row": seen_emails[email]},
                    )
                else:
                    seen_emails[email] = line_number
        elif values["name"]:
            error("name", _("A name needs an email: it is stored on the customer account."))
        campus_id = values["campus_id"]
        if len(campus_id) > 64:
            error("campus_id", _("At most 64 characters."))
        elif campus_id:
            if campus_id in seen_campus_ids:
                error(
                    "campus_id",
                    _("Campus ID repeated (first on row %(row)s).")
                    % {"row": seen_campus_ids[campus_id]},
                )
            else:
                seen_campus_ids[campus_id] = line_number
        dates: dict[str, dt.date | None] = {}
        for column in ("issued_on", "expires_on"):
            dates[column] = None
            if values[column]:
                try:
                    dates[column] = _import_date(values[column])
                except ValueError:
                    error(column, _("Not a date: write it as YYYY-MM-DD."))
        issued_on = dates["issued_on"] or today
        if dates["expires_on"] and dates["expires_on"] < issued_on:
            error("expires_on", _("The card would expire before it is issued."))
        pin = values["pin"]
        if pin and not CARD_PIN_PATTERN.fullmatch(pin):
            error("pin", _("A PIN is 4 to 8 digits."))
        first_name, _space, last_name = values["name"].partition(" ")
        rows.append(
            CardImportRow(
                row=line_number,
                card_number=number,
                member_type_code=values["member_type"],
                first_name=first_name,
                last_name=last_name.strip(),
                email=email,
                campus_id=campus_id,
                issued_on=dates["issued_on"],
                expires_on=dates["expires_on"],
                pin=pin or f"{secrets.randbelow(10**6):06d}",
                pin_generated=not pin,
            )
        )
    if not rows and not errors:
        errors.append(CardImportError(0, "", _("The file has no rows to import.")))

    # What is already in the database, in three queries rather than three per row.
    taken_numbers = set(
        MemberCard.objects.filter(number__in=seen_numbers).values_list("number", flat=True)
    )
    current = MemberCard.objects.current()
    campus_ids_with_card = set(
        current.filter(campus_id__in=seen_campus_ids).values_list("campus_id", flat=True)
    )
    emails_with_card = {
        e.lower()
        for e in current.filter(user__email__in=seen_emails).values_list("user__email", flat=True)
    }
    for row in rows:
        if row.card_number in taken_numbers:
            errors.append(
                CardImportError(row.row, "card_number", _("This card number is already in use."))
            )
        if row.campus_id in campus_ids_with_card:
            errors.append(
                CardImportError(
                    row.row, "campus_id", _("A member with this campus ID already holds a card.")
                )
            )
        if row.email in emails_with_card:
            errors.append(
                CardImportError(
                    row.row, "email", _("The customer with this email already holds a card.")
                )
            )
    errors.sort(
        key=lambda e: (
            e.row,
            CARDS_IMPORT_COLUMNS.index(e.column) if e.column in CARDS_IMPORT_COLUMNS else -1,
        )
    )
    return rows, errors


def _import_customer(*, row: CardImportRow):
    """The customer account the card is linked to: found by email, else created."""
    if not row.email:
        return None
    User = get_user_model()
    user = User.objects.filter(email__iexact=row.email).order_by("pk").first()
    if user is None:
        generate_username = get_class("customer.forms", "generate_username")
        user = User.objects.create(
            username=generate_username(),
            email=row.email,
            first_name=row.first_name[:150],
            last_name=row.last_name[:150],
            # The member signs in with the campus login or resets a password by email.
            password=make_password(None),
        )
    return user


def cards_import_csv(*, content: bytes, dry_run: bool, user) -> CardImportResult:
    """Issue a card per CSV row, all or nothing.

    Every row is checked before the first write and the whole file is one transaction, so a
    bad row, or a refusal by ``card_issue`` itself, leaves no card behind. A dry run goes
    through the same writes and rolls them back, so its preview is what the import would do.
    """
    if not selectors.cards_import_allowed(user=user):
        raise PermissionDenied(_("You are not allowed to import cards."))
    rows, errors = _cards_import_parse(content=content)
    if errors:
        return CardImportResult(rows=rows, errors=errors, dry_run=dry_run, cards=[])
    cards: list[MemberCard] = []
    with transaction.atomic():
        for row in rows:
            try:
                card = card_issue(
                    member_type_code=row.member_type_code,
                    pin=row.pin,
                    user=_import_customer(row=row),
                    campus_id=row.campus_id,
                    number=row.card_number or None,
                    issued_on=row.issued_on,
                )
                if row.expires_on is not None:
                    card.expires_on = row.expires_on
                    card.save(update_fields=["expires_on"])
            except ValidationError as error:
                transaction.set_rollback(True)
                return CardImportResult(
                    rows=rows,
                    errors=[CardImportError(row.row, "", message) for message in error.messages],
                    dry_run=dry_run,
                    cards=[],
                )
            cards.append(card)
        if dry_run:
            transaction.set_rollback(True)
        else:
            admin_logger.info("Card import by %s: %s cards", user.get_username(), len(cards))
    return CardImportResult(rows=rows, errors=[], dry_run=dry_run, cards=cards)
