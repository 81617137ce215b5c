import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The foreign key points at the wallet app's model: the same table, so only Django's state
    changes."""

    dependencies = [
        ("payment", "0006_stripewebhookevent_checkoutattempt"),
        ("wallet", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checkoutattempt",
                    name="wallet",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="wallet.wallet"),
                ),
            ],
            database_operations=[],
        ),
    ]
