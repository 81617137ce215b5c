"""The site offer "Points": the points a member chose at checkout, as a basket discount.

Lowest priority, so it applies after the member price and every other offer; not
exclusive, so it combines with them; one application per basket.
"""

from django.db import migrations

RANGE_NAME = "All products (points)"
OFFER_NAME = "Points"
CONDITION_CLASS = "loyalty.offers.PointsRedemptionCondition"
BENEFIT_CLASS = "loyalty.offers.PointsRedemptionBenefit"


def create(apps, schema_editor):
    Range = apps.get_model("offer", "Range")
    Condition = apps.get_model("offer", "Condition")
    Benefit = apps.get_model("offer", "Benefit")
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    if ConditionalOffer.objects.filter(name=OFFER_NAME).exists():
        return
    product_range, _created = Range.objects.get_or_create(
        name=RANGE_NAME, defaults={"slug": "all-products-points", "includes_all_products": True}
    )
    condition = Condition.objects.create(proxy_class=CONDITION_CLASS, range=product_range)
    # The amount comes from the member's choice at apply time; value is a placeholder.
    benefit = Benefit.objects.create(proxy_class=BENEFIT_CLASS, range=product_range, value=0)
    ConditionalOffer.objects.create(
        name=OFFER_NAME,
        slug="points",
        description="Points the member chose to spend on this order.",
        offer_type="Site",
        status="Open",
        condition=condition,
        benefit=benefit,
        exclusive=False,
        priority=-100,
        max_basket_applications=1,
    )


def remove(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    for offer in ConditionalOffer.objects.filter(name=OFFER_NAME):
        condition, benefit = offer.condition, offer.benefit
        offer.delete()
        condition.delete()
        benefit.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0005_bonuses_referrals_redemption"),
        ("offer", "0015_member_price_offer"),
    ]

    operations = [migrations.RunPython(create, remove)]
