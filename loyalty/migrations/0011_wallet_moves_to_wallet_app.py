from django.db import migrations


class Migration(migrations.Migration):
    """The wallet app owns the wallet models and their tables now: loyalty lets go of them in
    Django's state only, and the tables stay as they are."""

    dependencies = [
        ("loyalty", "0010_member_price_offer_classes"),
        ("payment", "0007_checkoutattempt_wallet_app"),
        ("wallet", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="WalletTransaction"),
                migrations.DeleteModel(name="Wallet"),
            ],
            database_operations=[],
        ),
    ]
