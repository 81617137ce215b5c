"""Shared pieces of the fuzz tests: hostile values, a database fingerprint, the verdict.

The one rule every fuzz test checks: a bad input answers 4xx, or re-renders its
form with an error, never 500, and a request that was refused changed nothing in the database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import connection, models
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.unit.security.urls_of_ours import OUR_PACKAGES

# --------------------------------------------------------------------------- hypothesis profiles

# CI runs the same examples every time (derandomize) so a red build is reproducible; a
# developer hunting for new failures runs `FUZZ_PROFILE=fuzz-explore` for random, longer runs.
# deadline=None: a request against SQLite sometimes takes 200 ms on a busy machine, which is
# not what these tests are about.
settings.register_profile(
    "fuzz-ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    # A test's fixtures (client, world) are shared by its examples on purpose: each example
    # takes its own before/after fingerprint, so what an accepted example wrote is accounted.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile(
    "fuzz-explore",
    parent=settings.get_profile("fuzz-ci"),
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    derandomize=False,
)
FUZZ_SETTINGS = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz-ci"))
if os.environ.get("FUZZ_SHRINK") == "0":
    # A first hunt over every endpoint: report each failure as found, skip minimising it.
    FUZZ_SETTINGS = settings(FUZZ_SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate])

# --------------------------------------------------------------------------- hostile values

HUGE_TEXT = "Ω" * 100_000
NUMBER_TRICKS = [
    "-1",
    "0",
    "-0",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "1E+999999",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "0.000000000000000000001",
    "12.345678",
    "1,5",
    "5 ",
    "+5",
    "0x10",
    "٣",  # an Arabic-Indic digit: int() accepts it, a database column may not
    "2147483648",
    "9223372036854775808",
]
TEXT_TRICKS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "'; DROP TABLE order_order; --",
    "%s%s%n",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "\u202eevil",
    "😀" * 50,
    "中文测试",
    "\ud7ff",
    "true",
    "null",
    "[]",
    "{}",
]
DATE_TRICKS = ["2026-02-30", "0001-01-01", "9999-12-31", "31/12/2026", "2026-13-01", "yesterday"]
UNKNOWN_IDS = ["999999999", "-5", "0", "1.5", "abc"]


def hostile_scalar(known_ids: list[str] | tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """One form value: a trick string, a number trick, an id of someone else's row, random text."""
    choices = [
        st.sampled_from(NUMBER_TRICKS),
        st.sampled_from(TEXT_TRICKS),
        st.sampled_from(DATE_TRICKS),
        st.sampled_from(UNKNOWN_IDS),
        st.just(HUGE_TEXT),
        st.text(max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    ]
    if known_ids:
        choices.append(st.sampled_from(list(known_ids)))
    return st.one_of(*choices)


def hostile_form(
    field_names: list[str], known_ids: list[str] | tuple[str, ...] = ()
) -> st.SearchStrategy[dict]:
    """A POST body over ``field_names``: some missing, some repeated, each value hostile."""
    value = hostile_scalar(known_ids)
    one_field = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    names = st.lists(st.sampled_from(field_names), unique=True) if field_names else st.just([])
    extra = st.dictionaries(st.text(min_size=1, max_size=10), value, max_size=2)
    return st.tuples(names, extra).flatmap(
        lambda pair: st.fixed_dictionaries({name: one_field for name in pair[0]}).map(
            lambda body: {**pair[1], **body}
        )
    )


# --------------------------------------------------------------------------- reading the form

FIELD_NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*?\bname="([^"]+)"', re.IGNORECASE)
# Fields the fuzzer must not garble: without a valid CSRF token nothing is tried at all (the
# test client skips CSRF checks anyway), and ACCESS tests CSRF separately.
NOT_FUZZED = {"csrfmiddlewaretoken"}


def form_field_names(html: str) -> list[str]:
    """The names of the fields a page's forms post, in page order, once each."""
    seen: dict[str, None] = {}
    for name in FIELD_NAME.findall(html):
        if name not in NOT_FUZZED:
            seen.setdefault(name, None)
    return list(seen)


# --------------------------------------------------------------------------- database fingerprint

# Every app whose rows a storefront, till or back-office request can write: our own apps (the
# forked Oscar apps under shop/ keep Oscar's labels) and the Oscar, auth and Wagtail apps.
WATCHED_APP_LABELS = {
    *(package for package in OUR_PACKAGES if package != "shop"),
    "order",
    "basket",
    "partner",
    "payment",
    "offer",
    "voucher",
    "catalogue",
    "address",
    "customer",
    "wishlists",
    "auth",
    "wagtailcore",
    "wagtailimages",
    "pages",
}
# Rows that a refused request writes on purpose, so they are not "changes":
UNWATCHED_MODELS = {
    # Wagtail's audit log and page locks record who looked at or tried what.
    "wagtailcore.ModelLogEntry",
    "wagtailcore.PageLogEntry",
    # auth.User.last_login moves on force_login; counting users still catches a new account.
}
# Columns whose value moves on every request (timestamps, login bookkeeping).
UNWATCHED_FIELD_TYPES = (models.DateTimeField, models.DateField, models.TimeField)
UNWATCHED_FIELD_NAMES = {"last_login", "password"}
SUMMED_FIELD_TYPES = (
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


def _watched_models():
    for model in apps.get_models():
        if model._meta.app_label not in WATCHED_APP_LABELS or model._meta.proxy:
            continue
        if model._meta.label in UNWATCHED_MODELS or not model._meta.managed:
            continue
        yield model


def _column_terms(model) -> list[str]:
    quote = connection.ops.quote_name
    terms = ["COUNT(*)"]
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in UNWATCHED_FIELD_NAMES:
            continue
        if isinstance(field, UNWATCHED_FIELD_TYPES):
            continue
        column = quote(field.column)
        if isinstance(field, (models.CharField, models.TextField)):
            terms.append(f"COALESCE(SUM(LENGTH({column})), 0)")
        elif isinstance(field, SUMMED_FIELD_TYPES):
            terms.append(f"COALESCE(SUM({column}), 0)")
    return terms


class DatabaseFingerprint:
    """Row counts and column sums of every watched table, read in one SQL statement.

    Counts catch inserts and deletes; sums of numbers (balances, points, stock, amounts,
    foreign keys) and of text lengths catch updates. One statement keeps a fingerprint at a
    few milliseconds, so every fuzz example can take two.
    """

    def __init__(self):
        self.labels: list[str] = []
        parts = []
        for model in _watched_models():
            table = connection.ops.quote_name(model._meta.db_table)
            joined = " || ',' || ".join(f"CAST({term} AS TEXT)" for term in _column_terms(model))
            # Table and column names come from the models, never from input.
            parts.append(f"(SELECT {joined} FROM {table})")  # noqa: S608
            self.labels.append(model._meta.label)
        self.sql = "SELECT " + ", ".join(parts)

    def take(self) -> dict[str, str]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            row = cursor.fetchone()
        return dict(zip(self.labels, row, strict=True))


def fingerprint_diff(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {
        label: (before[label], after[label]) for label in before if before[label] != after[label]
    }


# --------------------------------------------------------------------------- the verdict


@dataclass
class Verdict:
    status: int
    refused: bool
    why: str


def _errors_in_context(response) -> list[str]:
    found = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            errors = getattr(value, "errors", None)
            if errors and not callable(errors) and hasattr(value, "is_bound"):
                found.append(str(errors)[:200])
            non_form = getattr(value, "non_form_errors", None)
            if callable(non_form) and getattr(value, "is_bound", False) and non_form():
                found.append(str(non_form())[:200])
    return found


def _error_messages(response) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    storage = getattr(request, "_messages", None)
    if storage is None:
        return []
    # Peek without consuming: the queued messages are what the next page shows.
    queued = list(getattr(storage, "_queued_messages", []))
    return [str(m) for m in queued if m.level >= message_levels.WARNING]


def verdict_of(response) -> Verdict:
    """Did the server refuse this request, and did it say so clearly?"""
    status = response.status_code
    if status >= 500:
        return Verdict(status, True, "server error")
    if status >= 400:
        return Verdict(status, True, f"{status}")
    errors = _errors_in_context(response) + _error_messages(response)
    if errors:
        return Verdict(status, True, "; ".join(errors)[:300])
    return Verdict(status, False, "accepted")


def assert_refused_cleanly_or_accepted(response, before, after, *, request_repr: str) -> Verdict:
    """The fuzz invariant: never 500; a refusal is clear and leaves the database as it was."""
    verdict = verdict_of(response)
    assert verdict.status < 500, f"{verdict.status} for {request_repr}"
    if verdict.refused:
        changed = fingerprint_diff(before, after)
        assert not changed, f"refused ({verdict.why}) but wrote {changed} for {request_repr}"
        if verdict.status in (400, 413):
            assert response.content.strip(), (
                f"{verdict.status} with an empty body for {request_repr}"
            )
    return verdict
