"""StreamField blocks of a rule segment: one block per condition {field, operator, value}."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from marketing import rules


class ConditionBlock(blocks.StructBlock):
    field = blocks.ChoiceBlock(choices=rules.field_choices, label=_("Field"))
    operator = blocks.ChoiceBlock(choices=rules.operator_choices, label=_("Operator"))
    value = blocks.CharBlock(
        label=_("Value"),
        max_length=128,
        help_text=_("e.g. student, 60, drinks, yes"),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        field = rules.FIELDS.get(value.get("field"))
        context["field_label"] = field.label if field else value.get("field")
        context["operator_label"] = rules.OPERATOR_LABELS.get(
            value.get("operator"), value.get("operator")
        )
        return context

    class Meta:
        icon = "filter"
        label = _("Condition")
        template = "marketing/blocks/condition_block.html"
        preview_value = {"field": "member_type", "operator": "eq", "value": "student"}
        description = _("One test a member must pass, e.g. member type is student.")


class SegmentConditionsBlock(blocks.StreamBlock):
    condition = ConditionBlock()

    class Meta:
        min_num = 1
