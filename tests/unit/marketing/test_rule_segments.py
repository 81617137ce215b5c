"""Rule segments: conditions compiled to one query; bad rules give a clear error, save nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from marketing import selectors, services
from marketing.models import Segment
from marketing.rules import RuleError, rules_compile
from tests.factories.loyalty import member_card
from tests.factories.marketing import category_product, history_order, member, rule_segment

AS_OF = dt.date(2015, 7, 1)
SHOPPER_NAMES = (
    "old_student_drinks",
    "recent_student_drinks",
    "old_staff_drinks",
    "old_student_bread",
)


@pytest.fixture
def shoppers(db):
    drinks = category_product(name="Drinks")
    bread = category_product(name="Bread")
    people = {
        "old_student_drinks": member(),
        "recent_student_drinks": member(),
        "old_staff_drinks": member(),
        "old_student_bread": member(),
    }
    member_card(user=people["old_student_drinks"], member_type_code="student")
    member_card(user=people["recent_student_drinks"], member_type_code="student")
    member_card(user=people["old_staff_drinks"], member_type_code="staff")
    member_card(user=people["old_student_bread"], member_type_code="student")
    day_old, day_recent = AS_OF - dt.timedelta(days=90), AS_OF - dt.timedelta(days=10)
    history_order(user=people["old_student_drinks"], total="10.00", day=day_old, product=drinks)
    history_order(
        user=people["recent_student_drinks"], total="10.00", day=day_recent, product=drinks
    )
    history_order(user=people["old_staff_drinks"], total="10.00", day=day_old, product=drinks)
    history_order(user=people["old_student_bread"], total="10.00", day=day_old, product=bread)
    services.segmentation_run(as_of=AS_OF)  # the reference day of "days since last purchase"
    return people


STUDENT_LAPSED_DRINKS = [
    {"field": "member_type", "operator": "eq", "value": "student"},
    {"field": "days_since_last_purchase", "operator": "gt", "value": "60"},
    {"field": "category_bought", "operator": "eq", "value": "Drinks"},
]


def test_the_issue_example_rule_selects_exactly_the_lapsed_student_drinkers(shoppers):
    segment = rule_segment(name="Lapsed student drinkers", rules=STUDENT_LAPSED_DRINKS)
    assert selectors.segment_user_ids(segment_id=segment.pk) == [shoppers["old_student_drinks"].pk]


def test_any_match_and_negation(shoppers):
    segment = rule_segment(
        name="Staff or never bought drinks",
        match="any",
        rules=[
            {"field": "member_type", "operator": "eq", "value": "staff"},
            {"field": "category_bought", "operator": "ne", "value": "drinks"},
        ],
    )
    assert selectors.segment_user_ids(segment_id=segment.pk) == sorted(
        [shoppers["old_staff_drinks"].pk, shoppers["old_student_bread"].pk]
    )


def test_preview_counts_before_saving(shoppers):
    preview = selectors.segment_preview(rules=STUDENT_LAPSED_DRINKS[:1], match="all")
    assert preview.count == 3
    assert not Segment.objects.filter(is_builtin=False).exists()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"field": "shoe_size", "operator": "eq", "value": "42"}, "unknown field 'shoe_size'"),
        ({"field": "member_type", "operator": "gt", "value": "student"}, "cannot use the operator"),
        ({"field": "days_since_last_purchase", "operator": "gt", "value": "sixty"}, "is not a valid value"),
        ({"field": "member_type", "operator": "eq", "value": "astronaut"}, "is not a valid value"),
        ({"field": "category_bought", "operator": "eq", "value": "Caviar"}, "is not a valid value"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_with_a_clear_error_and_nothing_is_saved(shoppers, rule, message):
    before = Segment.objects.count()
    with pytest.raises(ValidationError) as error:
        rule_segment(name="Broken", rules=[STUDENT_LAPSED_DRINKS[0], rule])
    assert message in " ".join(error.value.messages)
    assert "Condition 2" in " ".join(error.value.messages)
    assert Segment.objects.count() == before


def test_no_conditions_is_refused(db):
    with pytest.raises(RuleError, match="at least one condition"):
        rules_compile(rules=[], match="all")


def test_updating_with_a_bad_rule_keeps_the_old_rules(shoppers):
    segment = rule_segment(name="Students", rules=STUDENT_LAPSED_DRINKS[:1])
    with pytest.raises(ValidationError):
        services.segment_update(
            segment_id=segment.pk, rules=[{"field": "tier", "operator": "lt", "value": "Gold"}]
        )
    segment.refresh_from_db()
    assert segment.rules == STUDENT_LAPSED_DRINKS[:1]


@pytest.mark.parametrize(
    ("operator", "days", "expected"),
    [
        ("gt", "89", {"old_student_drinks", "old_staff_drinks", "old_student_bread"}),
        ("gt", "90", set()),
        ("gte", "90", {"old_student_drinks", "old_staff_drinks", "old_student_bread"}),
        ("eq", "10", {"recent_student_drinks"}),
        ("ne", "10", {"old_student_drinks", "old_staff_drinks", "old_student_bread"}),
        ("lt", "90", {"recent_student_drinks"}),
        ("lte", "90", set(SHOPPER_NAMES)),
    ],
)
def test_days_since_last_purchase_operators(shoppers, operator, days, expected):
    rules = [{"field": "days_since_last_purchase", "operator": operator, "value": days}]
    members = selectors.segment_members_queryset(rules=rules, match="all")
    names = {name for name, person in shoppers.items() if members.filter(pk=person.pk).exists()}
    assert names == expected
