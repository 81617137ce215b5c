import django.db.models.deletion
import oscar.core.utils
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def content_types_to_wallet(apps, schema_editor):
    """Permissions and admin history of the two models follow them to this app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label="loyalty", model__in=["wallet", "wallettransaction"]
    ).update(app_label="wallet")


def content_types_to_loyalty(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label="wallet", model__in=["wallet", "wallettransaction"]
    ).update(app_label="loyalty")


class Migration(migrations.Migration):
    """The wallet's tables already exist (``loyalty_wallet``, ``loyalty_wallettransaction``):
    this app takes them over in Django's state only, and the database is not touched."""

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("loyalty", "0009_minimum_balance_to_redeem_30"),
        ("order", "0022_orderrefund"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Wallet",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("balance", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=12, verbose_name="Balance")),
                        ("currency", models.CharField(default=oscar.core.utils.get_default_currency, max_length=12, verbose_name="Currency")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="Created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="Updated")),
                        ("user", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="wallet", to=settings.AUTH_USER_MODEL, verbose_name="Customer")),
                    ],
                    options={
                        "verbose_name": "Campus-card wallet",
                        "verbose_name_plural": "Campus-card wallets",
                        "db_table": "loyalty_wallet",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("balance__gte", 0)), name="loyalty_wallet_balance_not_negative"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WalletTransaction",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("top_up", "Top-up"), ("order_payment", "Order payment"), ("order_refund", "Order refund"), ("adjustment", "Staff adjustment")], max_length=32, verbose_name="Kind")),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="Amount")),
                        ("balance_after", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="Balance after")),
                        ("payment_intent_id", models.CharField(blank=True, max_length=255, verbose_name="Stripe PaymentIntent")),
                        ("note", models.CharField(blank=True, max_length=255, verbose_name="Note")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="Created")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("order", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="wallet_transactions", to="order.order")),
                        ("refund", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="wallet_transactions", to="order.orderrefund")),
                        ("wallet", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="transactions", to="wallet.wallet")),
                    ],
                    options={
                        "verbose_name": "Wallet transaction",
                        "verbose_name_plural": "Wallet transactions",
                        "ordering": ["-created_at", "-pk"],
                        "db_table": "loyalty_wallettransaction",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("amount", 0), _negated=True), name="loyalty_wallettx_amount_not_zero"),
                            models.CheckConstraint(condition=models.Q(("balance_after__gte", 0)), name="loyalty_wallettx_balance_after_not_negative"),
                            models.UniqueConstraint(condition=models.Q(("kind", "top_up")), fields=("payment_intent_id",), name="loyalty_wallettx_one_top_up_per_payment_intent"),
                            models.UniqueConstraint(condition=models.Q(("kind", "order_payment")), fields=("order",), name="loyalty_wallettx_one_payment_per_order"),
                            models.UniqueConstraint(condition=models.Q(("kind", "order_refund")), fields=("refund",), name="loyalty_wallettx_one_credit_per_refund"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_wallet, content_types_to_loyalty),
    ]
