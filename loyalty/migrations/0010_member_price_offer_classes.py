"""The "Member price" condition and benefit are proxies of this app (``loyalty.offers``).

Oscar stores the class of a custom condition or benefit as its dotted path (``proxy_class``):
the stored paths follow the classes, both ways.
"""

from django.db import migrations

CLASS_PATHS = {
    "Condition": (
        "shop.apps.offer.conditions.ActiveMemberCardCondition",
        "loyalty.offers.ActiveMemberCardCondition",
    ),
    "Benefit": (
        "shop.apps.offer.benefits.MemberTypeDiscountBenefit",
        "loyalty.offers.MemberTypeDiscountBenefit",
    ),
}


def _paths_rewrite(apps, *, forward: bool) -> None:
    for model_name, (offer_path, loyalty_path) in CLASS_PATHS.items():
        old, new = (offer_path, loyalty_path) if forward else (loyalty_path, offer_path)
        apps.get_model("offer", model_name).objects.filter(proxy_class=old).update(proxy_class=new)


def forward(apps, schema_editor):
    _paths_rewrite(apps, forward=True)


def backward(apps, schema_editor):
    _paths_rewrite(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0009_minimum_balance_to_redeem_30"),
        ("offer", "0016_member_price_classes_to_loyalty"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActiveMemberCardCondition",
            fields=[],
            options={
                "verbose_name": "Active member card condition",
                "verbose_name_plural": "Active member card conditions",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("offer.condition",),
        ),
        migrations.CreateModel(
            name="MemberTypeDiscountBenefit",
            fields=[],
            options={
                "verbose_name": "Member type discount benefit",
                "verbose_name_plural": "Member type discount benefits",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("offer.percentagediscountbenefit",),
        ),
        migrations.RunPython(forward, backward),
    ]
