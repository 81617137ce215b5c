from django.db import migrations

OLD_LABEL = "loyalty.Wallet"
NEW_LABEL = "wallet.Wallet"


def _relabel(apps, old: str, new: str) -> None:
    PrivacyLog = apps.get_model("crm", "PrivacyLog")
    for entry in PrivacyLog.objects.filter(detail__has_key="kept_unlinked"):
        kept = entry.detail["kept_unlinked"]
        if old in kept:
            entry.detail["kept_unlinked"] = {
                (new if label == old else label): count for label, count in kept.items()
            }
            entry.save(update_fields=["detail"])


def privacy_log_to_wallet(apps, schema_editor):
    """The privacy log names the wallets an account deletion kept by their model's label,
    which the log page turns into the model's name: the label is the wallet app's."""
    _relabel(apps, OLD_LABEL, NEW_LABEL)


def privacy_log_to_loyalty(apps, schema_editor):
    _relabel(apps, NEW_LABEL, OLD_LABEL)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_privacy_log_records_account_deletion"),
        ("wallet", "0001_initial"),
    ]

    operations = [migrations.RunPython(privacy_log_to_wallet, privacy_log_to_loyalty)]
