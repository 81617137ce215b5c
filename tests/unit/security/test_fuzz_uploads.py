"""Oversized and malformed uploads: a clear refusal, and not one row written.

Uploads of ours: the member-card CSV import (/cms/), the photo on a complaint (/support/new/)
and images in Wagtail (/cms/images/add/). Above all of them sits the request-size cap
(``shop.request_limits``), which answers 413 before Django parses a body at all.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage
from wagtail.images import get_image_model

from crm.models import Ticket
from loyalty.models import MemberCard
from loyalty.services.card_import import CARDS_IMPORT_MAX_BYTES, cards_import_csv
from tests.factories.crm import TicketCategoryFactory
from tests.unit.security.fuzz_world import FuzzWorld, log_in
from tests.unit.security.fuzzkit import FUZZ_SETTINGS, DatabaseFingerprint, fingerprint_diff

pytestmark = pytest.mark.django_db

User = get_user_model()
Image = get_image_model()


@pytest.fixture
def world():
    return FuzzWorld()


@pytest.fixture
def staff_client(client, world):
    log_in(client, world.staff)
    return client


# --------------------------------------------------------------------------- member-card CSV import


def _import(client, content: bytes, *, name: str = "cards.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("loyalty_members:import"), {"csv_file": upload, "import": "1"})


def _valid_rows(count: int) -> bytes:
    return ("member_type\n" + "student\n" * count).encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"member_type\n" + b"student," + b"x" * (3 * 1024 * 1024) + b"\n", "larger than 2 MB"),
        (_valid_rows(100_000), "At most 5000 rows"),
        (bytes(range(256)) * 20, "not UTF-8"),
        ("member_type,email\n学生,张@例子.中国\n".encode("gbk"), "not UTF-8"),
        (b"\x00\x01\x02PK\x03\x04binary", "This column is missing"),
        (b"number;type;name\n1;2;3\n", "This column is missing"),
        (b"member_type,shoe_size\nstudent,42\n", "Unknown column"),
        (b"", "The submitted file is empty"),
        (b"member_type\nno-such-type\n", "member_type"),
    ],
    ids=[
        "over-2MB",
        "100k-rows",
        "binary",
        "gbk-encoded",
        "nul-bytes",
        "wrong-header",
        "unknown-column",
        "empty",
        "unknown-type",
    ],
)
def test_bad_csv_imports_say_why_and_write_no_card(staff_client, content, message):
    cards_before = MemberCard.objects.count()

    response = _import(staff_client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert MemberCard.objects.count() == cards_before


def test_a_file_over_the_limit_is_refused_before_it_is_read(staff_client, monkeypatch):
    """The size is checked on the upload's metadata: the view never reads a huge file."""
    read_sizes = []

    def spy(*, content, **kwargs):
        read_sizes.append(len(content))
        return cards_import_csv(content=content, **kwargs)

    monkeypatch.setattr("loyalty.admin_views.cards_import_csv", spy)
    cards_before = MemberCard.objects.count()

    response = _import(staff_client, b"member_type\n" + b"x" * (CARDS_IMPORT_MAX_BYTES + 1))

    assert response.status_code == 200
    assert "larger than 2 MB" in response.content.decode()
    assert read_sizes == []
    assert MemberCard.objects.count() == cards_before


def test_a_good_csv_still_imports(staff_client):
    response = _import(staff_client, _valid_rows(3))

    assert response.status_code == 200
    assert MemberCard.objects.count() == 3


@FUZZ_SETTINGS
@given(
    content=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(
            lambda text: ("member_type,email,card_number,pin\n" + text).encode()
        ),
        st.lists(
            st.lists(
                st.sampled_from(
                    [
                        "student",
                        "",
                        "\x00",
                        "9" * 40,
                        "-1",
                        "NaN",
                        "a@b",
                        "=cmd|' /C calc'!A0",
                        "😀",
                    ]
                ),
                min_size=1,
                max_size=6,
            ),
            max_size=20,
        ).map(
            lambda rows: (
                "member_type,email,card_number,pin,first_name\n"
                + "\n".join(",".join(r) for r in rows)
            ).encode()
        ),
    )
)
def test_hostile_csv_files_never_crash_the_import(staff_client, content):
    fingerprint = DatabaseFingerprint()
    before = fingerprint.take()

    response = _import(staff_client, content)

    after = fingerprint.take()
    assert response.status_code == 200
    result = response.context.get("result")
    if result is None or result.errors:
        assert not fingerprint_diff(before, after), "a refused import wrote rows"
        assert result is None or result.errors


# --------------------------------------------------------------------------- complaint photo


def _png(size: tuple[int, int] = (4, 4)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("huge.png", _png() + b"\x00" * (5 * 1024 * 1024 + 1), "image/png", "too large"),
        ("evil.html", b"<script>alert(1)</script>", "text/html", "JPEG, PNG or WebP"),
        ("evil.svg", b"<svg onload=alert(1)>", "image/svg+xml", "JPEG, PNG or WebP"),
        ("photo.png", b"<script>alert(1)</script>", "text/html", "JPEG, PNG or WebP"),
    ],
    ids=["over-5MB", "html", "svg", "html-named-png"],
)
def test_bad_complaint_photos_are_refused_and_no_ticket_is_filed(
    client, world, name, content, content_type, message
):
    log_in(client, world.shopper)
    category = TicketCategoryFactory()
    tickets_before = Ticket.objects.count()

    response = client.post(
        reverse("crm-support:ticket-create"),
        {
            "category": category.pk,
            "subject": "Sour milk",
            "body": "It was sour.",
            "photo": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Ticket.objects.count() == tickets_before


# --------------------------------------------------------------------------- Wagtail images


def test_an_image_over_wagtails_limit_is_a_form_error(staff_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1024 * 1024
    images_before = Image.objects.count()
    content = _png((2000, 2000)) + b"\x00" * (1024 * 1024)

    response = staff_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Too big",
            "file": SimpleUploadedFile("big.png", content, content_type="image/png"),
        },
    )

    assert response.status_code == 200
    assert "this file is too big" in response.content.decode().lower()
    assert Image.objects.count() == images_before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-an-image.png", b"<script>alert(1)</script>"),
        ("truncated.png", _png()[:30]),
        ("evil.svg", b"<svg onload=alert(1)>"),
    ],
    ids=["html-named-png", "truncated-png", "svg"],
)
def test_a_file_that_is_not_an_image_is_a_form_error(staff_client, name, content):
    images_before = Image.objects.count()

    response = staff_client.post(
        reverse("wagtailimages:add"),
        {"title": "Bad", "file": SimpleUploadedFile(name, content, content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Image.objects.count() == images_before


# --------------------------------------------------------------------------- the request-size cap


def test_a_request_body_over_the_cap_is_refused_with_413_before_parsing(client, world, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    log_in(client, world.shopper)
    category = TicketCategoryFactory()
    tickets_before = Ticket.objects.count()

    response = client.post(
        reverse("crm-support:ticket-create"),
        {
            "category": category.pk,
            "subject": "Big",
            "body": "Big",
            "photo": SimpleUploadedFile(
                "big.png", b"\x00" * (2 * 1024 * 1024), content_type="image/png"
            ),
        },
    )

    assert response.status_code == 413
    assert b"too large" in response.content.lower()
    assert Ticket.objects.count() == tickets_before


def test_a_body_under_the_cap_goes_through(client, world, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    log_in(client, world.shopper)
    category = TicketCategoryFactory()

    response = client.post(
        reverse("crm-support:ticket-create"),
        {
            "category": category.pk,
            "subject": "Small",
            "body": "Small",
            "photo": SimpleUploadedFile("p.png", _png(), content_type="image/png"),
        },
    )

    assert response.status_code == 302
    assert Ticket.objects.filter(subject="Small").exists()
