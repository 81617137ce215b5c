from django.db import migrations


class Migration(migrations.Migration):
    """The "Member price" condition and benefit are loyalty's proxies (``loyalty.offers``)."""

    dependencies = [("offer", "0015_member_price_offer")]

    operations = [
        migrations.DeleteModel(name="ActiveMemberCardCondition"),
        migrations.DeleteModel(name="MemberTypeDiscountBenefit"),
    ]
