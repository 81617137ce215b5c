"""The starting member types and tiers; marketing edits them afterwards (they are data)."""

from decimal import Decimal

from django.db import migrations

MEMBER_TYPES = [
    # code, name, discount %, points multiplier
    ("student", "Student", Decimal("5.00"), Decimal("1.00")),
    ("staff", "Staff", Decimal("5.00"), Decimal("1.00")),
    ("faculty", "Faculty", Decimal("5.00"), Decimal("1.00")),
    ("alumni", "Alumni", Decimal("3.00"), Decimal("1.00")),
    ("public", "Public", Decimal("0.00"), Decimal("1.00")),
]
# Thresholds fit a campus grocery: in the demo history the median member spends ~70 CNY a
# year and the top 10 % over 180, so Silver reaches about the top 15 % and Gold the top 2 %.
TIERS = [
    ("Bronze", Decimal("0.00"), Decimal("1.00")),
    ("Silver", Decimal("150.00"), Decimal("1.25")),
    ("Gold", Decimal("300.00"), Decimal("1.50")),
]


def create(apps, schema_editor):
    MemberType = apps.get_model("loyalty", "MemberType")
    Tier = apps.get_model("loyalty", "Tier")
    for code, name, discount, multiplier in MEMBER_TYPES:
        MemberType.objects.get_or_create(
            code=code,
            defaults={"name": name, "discount_percent": discount, "earn_multiplier": multiplier},
        )
    for name, minimum_spend, multiplier in TIERS:
        Tier.objects.get_or_create(
            name=name, defaults={"minimum_spend": minimum_spend, "earn_multiplier": multiplier}
        )


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0002_member_cards_points_ledger")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
