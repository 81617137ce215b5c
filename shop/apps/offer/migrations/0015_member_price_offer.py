"""The site offer "Member price": active card holders get their member type's discount.

Created here so every installation has it; marketing can change its priority, exclusivity
and combinations in the offers dashboard like any other offer.
"""

from django.db import migrations

RANGE_NAME = "All products (member price)"
OFFER_NAME = "Member price"
CONDITION_CLASS = "shop.apps.offer.conditions.ActiveMemberCardCondition"
BENEFIT_CLASS = "shop.apps.offer.benefits.MemberTypeDiscountBenefit"


def create(apps, schema_editor):
    Range = apps.get_model("offer", "Range")
    Condition = apps.get_model("offer", "Condition")
    Benefit = apps.get_model("offer", "Benefit")
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    if ConditionalOffer.objects.filter(name=OFFER_NAME).exists():
        return
    product_range, _created = Range.objects.get_or_create(
        name=RANGE_NAME,
        defaults={"slug": "all-products-member-price", "includes_all_products": True},
    )
    condition = Condition.objects.create(proxy_class=CONDITION_CLASS, range=product_range)
    # The percentage comes from the member type at apply time; value is only a placeholder
    # Oscar's forms expect.
    benefit = Benefit.objects.create(proxy_class=BENEFIT_CLASS, range=product_range, value=0)
    ConditionalOffer.objects.create(
        name=OFFER_NAME,
        slug="member-price",
        description="Your member card's discount (students, staff, faculty, alumni).",
        offer_type="Site",
        status="Open",
        condition=condition,
        benefit=benefit,
        exclusive=False,
        priority=10,
    )


def remove(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    for offer in ConditionalOffer.objects.filter(name=OFFER_NAME):
        condition, benefit = offer.condition, offer.benefit
        offer.delete()
        condition.delete()
        benefit.delete()


class Migration(migrations.Migration):
    dependencies = [("offer", "0014_member_price_proxies")]

    operations = [migrations.RunPython(create, remove)]
