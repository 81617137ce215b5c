"""Rule segments: a list of ``{field, operator, value}`` conditions compiled to one Django Q.

Marketing builds the conditions in the Wagtail admin (``blocks.ConditionBlock``); they are
stored as plain data, so a rule written last year still means the same thing, and every one
goes through ``rules_compile`` - the only place that turns rules into a query. A rule that
names an unknown field, an operator the field does not support or a value that does not parse
raises ``RuleError`` naming the condition, so the admin can refuse to save it.

Conditions on the nightly figures (value group, lifecycle, R/F/M scores, CLV, dormant) read
``CustomerValue``; "days since last purchase" counts from the ``as_of`` day of the latest
segmentation run, so the demo (whose history ends in 2015) gives the same answers as the
nightly figures rather than "everyone lapsed years ago".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from loyalty.models import MemberCard, MemberType, Tier
from marketing.choices import Lifecycle, ValueGroup
from shop.apps.order.selectors import lines_paid, orders_paid

ALL = "all"
ANY = "any"

OPERATOR_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "gt": _("more than"),
    "gte": _("at least"),
    "lt": _("less than"),
    "lte": _("at most"),
}
COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte")
EQUALITY = ("eq", "ne")


class RuleError(ValidationError):
    """A condition that cannot be compiled; the message names the condition and the cause."""


@dataclass(frozen=True)
class RuleField:
    key: str
    label: str
    operators: tuple[str, ...]
    # Turns the raw text of the value into the Python value (raises ValueError).
    parse: Callable[[str], object]
    # Builds the Q for "field <operator> value" (negation is applied by the compiler).
    build: Callable[[str, object, dt.date], Q]
    help: str = ""


def _parse_int(raw: str) -> int:
    value = int(str(raw).strip())
    if value < 0:
        raise ValueError("negative")
    return value


def _parse_decimal(raw: str) -> Decimal:
    try:
        return Decimal(str(raw).strip())
    except InvalidOperation as error:
        raise ValueError(str(raw)) from error


def _parse_bool(raw: str) -> bool:
    text = str(raw).strip().lower()
    if text in {"yes", "true", "1"}:
        return True
    if text in {"no", "false", "0"}:
        return False
    raise ValueError(text)


def _choice_parser(choices_source: Callable[[], dict]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = str(raw).strip().lower()
        if value not in choices_source():
            raise ValueError(value)
        return value

    return parse


def _lookup(operator: str) -> str:
    return "" if operator in EQUALITY else f"__{operator}"


def _compare(path: str) -> Callable[[str, object, dt.date], Q]:
    return lambda operator, value, as_of: Q(**{f"{path}{_lookup(operator)}": value})


def _member_type_codes() -> dict:
    return {code.lower(): code for code in MemberType.objects.values_list("code", flat=True)}


def _tier_names() -> dict:
    return {name.lower(): name for name in Tier.objects.values_list("name", flat=True)}


def _category_names() -> dict:
    Category = get_model("catalogue", "Category")
    names: dict[str, str] = {}
    for name, slug in Category.objects.values_list("name", "slug"):
        names[name.lower()] = slug
        names[slug.lower()] = slug
    return names


def _value_groups() -> dict:
    return {value: value for value in ValueGroup.values}


def _lifecycles() -> dict:
    return {value: value for value in Lifecycle.values}


def _member_type_q(operator: str, value: str, as_of: dt.date) -> Q:
    return Q(
        # The card in play: an expired card still says the member's type and tier.
        member_cards__status__in=MemberCard.CURRENT_STATUSES,
        member_cards__member_type__code=_member_type_codes()[value],
    )


def _tier_q(operator: str, value: str, as_of: dt.date) -> Q:
    return Q(
        member_cards__status__in=MemberCard.CURRENT_STATUSES,
        member_cards__account__tier__name=_tier_names()[value],
    )


def _points_q(operator: str, value: int, as_of: dt.date) -> Q:
    return Q(
        member_cards__status__in=MemberCard.CURRENT_STATUSES,
        **{f"member_cards__account__balance{_lookup(operator)}": value},
    )


def _paid_orders(*, as_of: dt.date):
    """Paid orders placed before ``as_of``: a rule evaluated for a past day sees that day."""
    return orders_paid().filter(date_placed__lt=_day_start(as_of))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _days_since_purchase_q(operator: str, value: int, as_of: dt.date) -> Q:
    """Last paid order ``value`` days before ``as_of``: "more than 60" is older than that.

    Compared as datetimes against day boundaries (a per-row date cast is slow on SQLite):
    "last purchase day < D" is "last purchase before D's midnight". Members who never bought
    have no last purchase and match no comparison ("is not" included).
    """
    day = as_of - dt.timedelta(days=value)
    start, next_start = _day_start(day), _day_start(day + dt.timedelta(days=1))
    # More days since the purchase = an earlier purchase: the comparison flips on the date.
    window = {
        "gt": Q(last_at__lt=start),
        "gte": Q(last_at__lt=next_start),
        "lt": Q(last_at__gte=next_start),
        "lte": Q(last_at__gte=start),
        "eq": Q(last_at__gte=start, last_at__lt=next_start),
        "ne": Q(last_at__gte=start, last_at__lt=next_start),
    }[operator]
    last = (
        _paid_orders(as_of=as_of)
        .filter(user__isnull=False)
        .values("user_id")
        .annotate(last_at=Max("date_placed"))
        .filter(window)
    )
    query = Q(pk__in=last.values("user_id"))
    if operator == "ne":
        # Negated by the compiler; keep "never bought" out of the negation as well.
        buyers = _paid_orders(as_of=as_of).filter(user__isnull=False).values("user_id")
        return query | ~Q(pk__in=buyers)
    return query


def _category_bought_q(operator: str, value: str, as_of: dt.date) -> Q:
    """Bought anything in the category or below it (Oscar's categories form a tree)."""
    Category = get_model("catalogue", "Category")
    category = Category.objects.get(slug=_category_names()[value])
    tree = Category.objects.filter(path__startswith=category.path, depth__gte=category.depth)
    buyers = (
        lines_paid()
        .filter(
            order__date_placed__lt=_day_start(as_of),
            product__categories__in=tree,
            order__user__isnull=False,
        )
        .values("order__user_id")
    )
    return Q(pk__in=buyers)


def _unsubscribed_q(operator: str, value: bool, as_of: dt.date) -> Q:
    unsubscribed = Q(marketing_consent__email_opt_out=True)
    return unsubscribed if value else ~unsubscribed


FIELDS: dict[str, RuleField] = {
    field.key: field
    for field in [
        RuleField(
            "member_type",
            _("Member type"),
            EQUALITY,
            _choice_parser(_member_type_codes),
            _member_type_q,
            _("a member type code, e.g. student"),
        ),
        RuleField(
            "tier", _("Tier"), EQUALITY, _choice_parser(_tier_names), _tier_q, _("a tier name")
        ),
        RuleField(
            "points_balance",
            _("Points balance"),
            COMPARISONS,
            _parse_int,
            _points_q,
            _("a whole number"),
        ),
        RuleField(
            "days_since_last_purchase",
            _("Days since last purchase"),
            COMPARISONS,
            _parse_int,
            _days_since_purchase_q,
            _("a whole number of days"),
        ),
        RuleField(
            "category_bought",
            _("Bought from category"),
            EQUALITY,
            _choice_parser(_category_names),
            _category_bought_q,
            _("a category name or slug; 'is not' means never bought from it"),
        ),
        RuleField(
            "order_count",
            _("Paid orders"),
            COMPARISONS,
            _parse_int,
            _compare("marketing_value__frequency"),
            _("a whole number"),
        ),
        RuleField(
            "total_spend",
            _("Total spend (CNY)"),
            COMPARISONS,
            _parse_decimal,
            _compare("marketing_value__monetary"),
            _("an amount"),
        ),
        RuleField(
            "value_group",
            _("Value group"),
            EQUALITY,
            _choice_parser(_value_groups),
            _compare("marketing_value__value_group"),
            _("most_valuable, growth, low_value or pre_churn"),
        ),
        RuleField(
            "lifecycle",
            _("Lifecycle stage"),
            EQUALITY,
            _choice_parser(_lifecycles),
            _compare("marketing_value__lifecycle"),
            _("new, active, lapsing or churned"),
        ),
        RuleField(
            "dormant",
            _("Dormant"),
            EQUALITY,
            _parse_bool,
            _compare("marketing_value__is_dormant"),
            _("yes or no"),
        ),
        RuleField(
            "recency_score",
            _("Recency score (1-5)"),
            COMPARISONS,
            _parse_int,
            _compare("marketing_value__recency_score"),
            _("1 to 5"),
        ),
        RuleField(
            "frequency_score",
            _("Frequency score (1-5)"),
            COMPARISONS,
            _parse_int,
            _compare("marketing_value__frequency_score"),
            _("1 to 5"),
        ),
        RuleField(
            "monetary_score",
            _("Monetary score (1-5)"),
            COMPARISONS,
            _parse_int,
            _compare("marketing_value__monetary_score"),
            _("1 to 5"),
        ),
        RuleField(
            "clv",
            _("Customer lifetime value (CNY)"),
            COMPARISONS,
            _parse_decimal,
            _compare("marketing_value__clv_total"),
            _("an amount"),
        ),
        RuleField(
            "unsubscribed",
            _("Unsubscribed from marketing email"),
            EQUALITY,
            _parse_bool,
            _unsubscribed_q,
            _("yes or no"),
        ),
    ]
}


def field_choices() -> list[tuple[str, str]]:
    return [(field.key, field.label) for field in FIELDS.values()]


def operator_choices() -> list[tuple[str, str]]:
    return list(OPERATOR_LABELS.items())


def rules_reference_day() -> dt.date:
    """The ``as_of`` day of the latest segmentation run, today if none ran yet."""
    # By the app registry, not an import: the models import this module to check segments.
    SegmentationRun = get_model("marketing", "SegmentationRun")
    latest = SegmentationRun.objects.order_by("-as_of").values_list("as_of", flat=True).first()
    return latest or timezone.localdate()


def _condition_compile(*, position: int, condition: dict, as_of: dt.date) -> Q:
    key = str(condition.get("field", "")).strip()
    operator = str(condition.get("operator", "")).strip()
    raw = condition.get("value", "")
    field = FIELDS.get(key)
    if field is None:
        raise RuleError(
            _("Condition %(n)s: unknown field %(field)r.") % {"n": position, "field": key},
            code="unknown_field",
        )
    if operator not in field.operators:
        raise RuleError(
            _("Condition %(n)s: %(field)s cannot use the operator %(op)r (allowed: %(allowed)s).")
            % {
                "n": position,
                "field": field.label,
                "op": operator,
                "allowed": ", ".join(str(OPERATOR_LABELS[o]) for o in field.operators),
            },
            code="bad_operator",
        )
    try:
        value = field.parse(raw)
    except (ValueError, TypeError):
        raise RuleError(
            _("Condition %(n)s: %(value)r is not a valid value for %(field)s (expected %(help)s).")
            % {"n": position, "value": raw, "field": field.label, "help": field.help},
            code="bad_value",
        ) from None
    query = field.build(operator, value, as_of)
    return ~query if operator == "ne" else query


def rules_compile(*, rules: list[dict], match: str = ALL, as_of: dt.date | None = None) -> Q:
    """The one function turning stored rules into a Q on the user model.

    Every condition is checked before any is returned, so a bad rule never half-applies.
    An empty rule list matches nobody: a segment must say whom it is for.
    """
    if not isinstance(rules, list) or not rules:
        raise RuleError(_("Add at least one condition."), code="empty")
    if match not in (ALL, ANY):
        raise RuleError(_("Match must be 'all' or 'any'."), code="bad_match")
    as_of = as_of or rules_reference_day()
    compiled = Q()
    for position, condition in enumerate(rules, start=1):
        if not isinstance(condition, dict):
            raise RuleError(
                _("Condition %(n)s is not a {field, operator, value} entry.") % {"n": position},
                code="bad_condition",
            )
        query = _condition_compile(position=position, condition=condition, as_of=as_of)
        if position == 1:
            compiled = query
        else:
            compiled = compiled & query if match == ALL else compiled | query
    return compiled
