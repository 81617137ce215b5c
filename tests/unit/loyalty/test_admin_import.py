"""CSV import of member cards: every row checked first, all or nothing, a per-row report."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.test.factories import UserFactory

from loyalty import economy
from loyalty.models import MemberCard
from loyalty.services.card_import import cards_import_csv
from tests.factories.loyalty import member_card
from tests.factories.loyalty_admin import marketing_user, viewer_user

pytestmark = pytest.mark.django_db

User = get_user_model()
HEADER = "card_number,member_type,name,email,campus_id,issued_on,expires_on,pin\n"


def _number(serial: int) -> str:
    return economy.card_number_for_serial(serial=serial)


@pytest.fixture
def importer():
    return marketing_user()


def _import(text: str, *, user, dry_run: bool = False):
    return cards_import_csv(content=text.encode(), dry_run=dry_run, user=user)


def _counts():
    return MemberCard.objects.count(), User.objects.count()


def test_good_file_issues_every_card(importer):
    existing = UserFactory(email="known@uni.test")
    text = (
        HEADER
        + f"{_number(101)},student,Li Wei,li.wei@uni.test,20260001,2026-09-01,2030-08-31,1234\n"
        + ",staff,,known@uni.test,S-9,,,\n"
        + ",alumni,,,,,,\n"
    )

    result = _import(text, user=importer)

    assert result.ok and result.written == 3
    li = MemberCard.objects.get(number=_number(101))
    assert (li.issued_on, li.expires_on) == (dt.date(2026, 9, 1), dt.date(2030, 8, 31))
    assert li.campus_id == "20260001" and check_password("1234", li.pin_hash)
    assert (li.user.email, li.user.get_full_name()) == ("li.wei@uni.test", "Li Wei")
    assert not li.user.has_usable_password()
    staff = MemberCard.objects.get(campus_id="S-9")
    assert staff.user == existing
    generated = result.rows[1]
    assert generated.pin_generated and check_password(generated.pin, staff.pin_hash)
    assert MemberCard.objects.filter(user__isnull=True, member_type__code="alumni").count() == 1


def test_several_bad_rows_are_all_reported_and_nothing_is_written(importer):
    member_card(user=UserFactory(email="has.card@uni.test"))
    before = _counts()
    text = (
        HEADER
        + ",student,Good Row,good@uni.test,1,,,\n"  # row 2: fine
        + ",wizard,,,,,,\n"  # row 3: unknown type
        + ",student,,,,2026-13-01,,\n"  # row 4: bad date
        + ",student,,,,2026-09-01,2025-01-01,\n"  # row 5: expires before issue
        + "1234,student,,not-an-email,,,,12\n"  # row 6: number, email, PIN
        + ",student,No Email,,,,,\n"  # row 7: name without email
        + ",student,,has.card@uni.test,,,,\n"  # row 8: customer already holds a card
    )

    result = _import(text, user=importer)

    assert not result.ok and result.written == 0
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "member_type"),
        (4, "issued_on"),
        (5, "expires_on"),
        (6, "card_number"),
        (6, "email"),
        (6, "pin"),
        (7, "name"),
        (8, "email"),
    ]
    assert "wizard" in result.errors[0].message
    assert _counts() == before


def test_duplicate_card_numbers_in_the_file_and_in_the_database(importer):
    taken = member_card()
    before = _counts()
    text = (
        HEADER
        + f"{_number(7)},student,,,,,,\n"
        + f"{_number(7)},student,,,,,,\n"
        + f"{taken.number},student,,,,,,\n"
    )

    result = _import(text, user=importer)

    assert [(e.row, e.column) for e in result.errors] == [(3, "card_number"), (4, "card_number")]
    assert "first on row 2" in result.errors[0].message
    assert "already in use" in result.errors[1].message
    assert _counts() == before


def test_missing_and_unknown_columns_are_reported_against_the_header(importer):
    result = _import("card_number,colour\n1,red\n", user=importer)
    assert [(e.row, e.column) for e in result.errors] == [(1, "member_type"), (1, "colour")]


def test_dry_run_checks_everything_and_writes_nothing(importer):
    before = _counts()

    result = _import(
        HEADER + ",student,Li Wei,li@uni.test,,,,\n,staff,,,,,,\n", user=importer, dry_run=True
    )

    assert result.ok and result.dry_run and len(result.cards) == 2 and result.written == 0
    assert _counts() == before


def test_import_needs_the_permission():
    with pytest.raises(PermissionDenied):
        _import(HEADER + ",student,,,,,,\n", user=viewer_user())


def _upload(client, text: str, button: str):
    return client.post(
        reverse("loyalty_members:import"),
        {"csv_file": SimpleUploadedFile("cards.csv", text.encode(), "text/csv"), button: ""},
    )


def test_import_page_documents_the_format_and_reports_per_row(client, importer):
    client.force_login(importer)
    before = _counts()

    page = client.get(reverse("loyalty_members:import")).content.decode()
    assert "member_type" in page and "YYYY-MM-DD" in page and "student" in page

    report = _upload(client, HEADER + ",student,,,,,,\n,wizard,,,,,,\n", "import").content.decode()
    assert "Nothing was imported" in report and "wizard" in report
    assert _counts() == before

    preview = _upload(client, HEADER + ",student,,,,,,\n", "preview").content.decode()
    assert "Nothing was written" in preview
    assert _counts() == before

    done = _upload(client, HEADER + ",student,,,,,,1234\n", "import").content.decode()
    assert "1 card issued" in done
    assert MemberCard.objects.count() == before[0] + 1


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_import_message_counts_cards_in_the_singular_and_the_plural(client, importer):
    client.force_login(importer)

    one = _upload(client, HEADER + ",student,,,,,,\n", "import")
    two = _upload(client, HEADER + ",student,,,,,,\n,staff,,,,,,\n", "import")

    assert "1 card imported." in _messages(one)
    assert "2 cards imported." in _messages(two)


def test_import_page_is_forbidden_without_the_permission(client):
    client.force_login(viewer_user())
    response = client.get(reverse("loyalty_members:import"))
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
