"""The delivery round block of ``DeliverySettings.rounds`` (edited in /cms/ settings)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

# shipping's models import this module (the rounds' block) and the selectors read those models:
# the selectors name the models module, not its classes, so either can be imported first.
from shop.apps.shipping import selectors

# ISO weekday numbers (Monday = 1), as strings because the block stores its choices as text.
WEEKDAY_CHOICES = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]
MONDAY_TO_SATURDAY = ["1", "2", "3", "4", "5", "6"]


def weekdays_label(days) -> str:
    """ "Monday to Saturday", "every day", or the days one by one ("Monday, Thursday")."""
    numbers = sorted(int(day) for day in days)
    names = dict(WEEKDAY_CHOICES)
    if len(numbers) == 7:
        return str(_("every day"))
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return str(
            _("%(first)s to %(last)s")
            % {"first": names[str(numbers[0])], "last": names[str(numbers[-1])]}
        )
    return ", ".join(str(names[str(number)]) for number in numbers)


class DeliveryRoundValue(blocks.StructValue):
    @property
    def days_label(self) -> str:
        return weekdays_label(self.get("days") or [])


class DeliveryRoundBlock(blocks.StructBlock):
    """One daily delivery round: when it runs, until when it takes orders, on which days."""

    starts_at = blocks.TimeBlock(label=_("Round starts"))
    ends_at = blocks.TimeBlock(label=_("Round ends"))
    order_by = blocks.TimeBlock(
        label=_("Orders close at"),
        help_text=_("The last time of the day an order can still go out with this round."),
    )
    days = blocks.MultipleChoiceBlock(
        choices=WEEKDAY_CHOICES,
        default=MONDAY_TO_SATURDAY,
        label=_("Days"),
    )

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if value["ends_at"] <= value["starts_at"]:
            errors["ends_at"] = ValidationError(_("A round must end after it starts."))
        if value["order_by"] > value["starts_at"]:
            errors["order_by"] = ValidationError(
                _("Orders must close before the round starts, not after.")
            )
        if not value["days"]:
            errors["days"] = ValidationError(_("Choose at least one day."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value

    class Meta:
        icon = "time"
        label = _("Delivery round")
        value_class = DeliveryRoundValue


def default_rounds() -> list[tuple[str, dict]]:
    """The rounds the "Campus delivery" page has always promised: midday and evening."""
    return [
        (
            "round",
            {
                "starts_at": datetime.time(12, 0),
                "ends_at": datetime.time(13, 30),
                "order_by": datetime.time(10, 30),
                "days": MONDAY_TO_SATURDAY,
            },
        ),
        (
            "round",
            {
                "starts_at": datetime.time(18, 0),
                "ends_at": datetime.time(20, 0),
                "order_by": datetime.time(15, 0),
                "days": MONDAY_TO_SATURDAY,
            },
        ),
    ]


class DeliveryTermsBlock(blocks.StructBlock):
    """The delivery fee, free-delivery threshold, rounds and pick-up times, read from
    ``DeliverySettings`` when the page is shown: the page says what the checkout charges."""

    heading = blocks.CharBlock(required=False, max_length=80, label=_("Heading"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["delivery_settings"] = selectors.delivery_settings_get(
            request=context.get("request")
        )
        return context

    class Meta:
        icon = "site"
        label = _("Delivery and pick-up terms")
        template = "shipping/blocks/delivery_terms_block.html"
        preview_template = "pages/blocks/preview.html"
        preview_value = {"heading": _("Delivery and pick-up")}
        description = _(
            "The delivery fee, the free-delivery threshold, the delivery rounds and the "
            "pick-up times, as set in Settings → Delivery and pick-up (also used by the checkout)."
        )
