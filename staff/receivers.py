"""After every ``migrate``, the staff groups hold what staff.roles gives them.

A data migration would freeze the table as it was when the migration was written, and Django
creates permissions only after the migrations have run; ``post_migrate`` sees both the newest
table and every permission.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from staff import services


@receiver(post_migrate, dispatch_uid="staff.roles_install")
def roles_install_after_migrate(sender, *, using="default", plan=None, **kwargs):
    # Sent once per app; act on our own app's turn. Apps listed after ours get their
    # permissions later in the same loop, so create them now (idempotent) before granting.
    if sender.name != "staff":
        return
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    services.roles_install(using=using)
