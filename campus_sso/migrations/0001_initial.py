import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CampusIdentity",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("campus_id", models.CharField(max_length=64, unique=True, verbose_name="Campus ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="Created")),
                ("last_login_at", models.DateTimeField(blank=True, null=True, verbose_name="Last campus login")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="campus_identity",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "Campus identity",
                "verbose_name_plural": "Campus identities",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("campus_id", ""), _negated=True),
                        name="campus_sso_identity_campus_id_not_blank",
                    )
                ],
            },
        ),
    ]
