"""Staff roles: install the groups of staff.roles, give a role to an account."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from staff import roles


class UnknownPermission(LookupError):
    """A permission in the role table that no installed app defines (a typo, or an app gone)."""


def _permissions_query(specs: tuple[str, ...]) -> Q:
    query = Q(pk__in=[])
    for spec in specs:
        app_label, codename = spec.split(".", 1)
        if codename == "*":
            query |= Q(content_type__app_label=app_label)
        else:
            query |= Q(content_type__app_label=app_label, codename=codename)
    return query


def role_permissions_missing(*, key: str, using: str = "default") -> list[str]:
    """The role's named permissions (not ``app.*``) that the database does not have."""
    named = [spec for spec in roles.role_permissions(key) if not spec.endswith(".*")]
    found = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.using(using)
        .filter(_permissions_query(tuple(named)))
        .values_list("content_type__app_label", "codename")
    }
    return [spec for spec in named if spec not in found]


def roles_install(*, using: str = "default") -> dict[str, Group]:
    """Create every role's group and give it the role's permissions; idempotent.

    Only adds: a permission an administrator gave a group by hand stays. Raises
    ``UnknownPermission`` when the table names a permission no installed app defines, so a
    typo in the table fails ``migrate`` instead of silently leaving a role without a right.
    """
    groups: dict[str, Group] = {}
    with transaction.atomic(using=using):
        for role in roles.ROLES:
            missing = role_permissions_missing(key=role.key, using=using)
            if missing:
                raise UnknownPermission(
                    f"Role {role.key!r} names permissions that do not exist: {missing}"
                )
            group, _created = Group.objects.using(using).get_or_create(name=role.group)
            group.permissions.add(
                *Permission.objects.using(using).filter(
                    _permissions_query(roles.role_permissions(role.key))
                )
            )
            groups[role.key] = group
    return groups


@transaction.atomic
def staff_role_grant(*, user, key: str) -> Group:
    """Put ``user`` in the role's group; a dashboard role also makes the account staff.

    Never takes anything away: the account keeps its other groups and its staff flag.
    """
    role = roles.ROLES_BY_KEY[key]
    group = roles_install()[key]
    user.groups.add(group)
    if role.dashboard and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return group
