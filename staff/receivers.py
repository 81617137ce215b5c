"""After every ``migrate``, the staff groups hold what staff.roles gives them; and whenever a
user's groups or permissions, or a group's permissions, change, the cached answer to "may this
account open Wagtail's admin" (``staff.selectors.staff_account_is``) is forgotten.

A data migration would freeze the table as it was when the migration was written, and Django
creates permissions only after the migrations have run; ``post_migrate`` sees both the newest
table and every permission.
"""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_migrate, pre_delete
from django.dispatch import receiver

from staff import services
from staff.selectors import staff_admin_access_forget

User = get_user_model()


@receiver(post_migrate, dispatch_uid="staff.roles_install")
def roles_install_after_migrate(sender, *, using="default", plan=None, **kwargs):
    # Sent once per app; act on our own app's turn. Apps listed after ours get their
    # permissions later in the same loop, so create them now (idempotent) before granting.
    if sender.name != "staff":
        return
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    services.roles_install(using=using)


def _users_of_groups(group_ids) -> list[int]:
    return list(User.objects.filter(groups__in=group_ids).values_list("pk", flat=True))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="staff.admin_access_groups")
@receiver(
    m2m_changed, sender=User.user_permissions.through, dispatch_uid="staff.admin_access_perms"
)
def user_groups_or_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        staff_admin_access_forget(user_ids=[instance.pk])
    elif action == "pre_clear":
        # A group or permission losing all its users: who they were is known only before.
        staff_admin_access_forget(user_ids=instance.user_set.values_list("pk", flat=True))
    else:
        staff_admin_access_forget(user_ids=pk_set or ())


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="staff.admin_access_group")
def group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        group_ids = [instance.pk]
    elif action == "pre_clear":
        group_ids = list(instance.group_set.values_list("pk", flat=True))
    else:
        group_ids = list(pk_set or ())
    staff_admin_access_forget(user_ids=_users_of_groups(group_ids))


@receiver(pre_delete, sender=Group, dispatch_uid="staff.admin_access_group_deleted")
def group_deleted(sender, instance, **kwargs):
    staff_admin_access_forget(user_ids=_users_of_groups([instance.pk]))


@receiver(pre_delete, sender=Permission, dispatch_uid="staff.admin_access_permission_deleted")
def permission_deleted(sender, instance, **kwargs):
    staff_admin_access_forget(
        user_ids=User.objects.filter(Q(user_permissions=instance) | Q(groups__permissions=instance))
        .values_list("pk", flat=True)
        .distinct()
    )
