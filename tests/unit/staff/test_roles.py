"""The role table (staff/roles.py) and its installation."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from staff import roles, services

pytestmark = pytest.mark.django_db


def _codenames(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_permission_the_table_names_exists():
    for role in roles.ROLES:
        assert services.role_permissions_missing(key=role.key) == [], role.key
        for spec in roles.role_permissions(role.key):
            if spec.endswith(".*"):
                app_label = spec.split(".", 1)[0]
                assert Permission.objects.filter(content_type__app_label=app_label).exists(), spec


def test_a_migrated_database_has_every_role_with_its_permissions():
    # The test database was built by ``migrate``: post_migrate installed the roles.
    for role in roles.ROLES:
        group = Group.objects.get(name=role.group)
        named = {spec for spec in roles.role_permissions(role.key) if not spec.endswith(".*")}
        assert named <= _codenames(group), role.key


def test_roles_install_restores_a_lost_permission_and_keeps_one_given_by_hand():
    cashiers = Group.objects.get(name=roles.CASHIERS_GROUP)
    cashiers.permissions.clear()
    extra = Permission.objects.get(content_type__app_label="order", codename="view_order")
    cashiers.permissions.add(extra)

    services.roles_install()
    services.roles_install()

    assert _codenames(cashiers) == set(roles.role_permissions(roles.CASHIER)) | {"order.view_order"}
    assert Group.objects.filter(name=roles.CASHIERS_GROUP).count() == 1


def test_roles_install_refuses_a_permission_no_app_defines(monkeypatch):
    typo = roles.Role(
        key="typo",
        group="Typo",
        label="Typo",
        dashboard=False,
        where="",
        where_label="",
        permissions=("till.use_tll",),
    )
    monkeypatch.setattr(roles, "ROLES", (*roles.ROLES, typo))
    monkeypatch.setitem(roles.ROLES_BY_KEY, "typo", typo)
    with pytest.raises(services.UnknownPermission, match="till.use_tll"):
        services.roles_install()
    assert not Group.objects.filter(name="Typo").exists()


def test_a_manager_holds_every_marketing_permission():
    assert set(roles.role_permissions(roles.MARKETING)) <= set(
        roles.role_permissions(roles.MARKETING_MANAGER)
    )


def test_granting_a_dashboard_role_makes_the_account_staff_and_keeps_other_groups():
    user = get_user_model().objects.create_user("newhire", "newhire@campus.example", "x")
    services.staff_role_grant(user=user, key=roles.MARKETING)
    user.refresh_from_db()
    assert not user.is_staff

    services.staff_role_grant(user=user, key=roles.CASHIER)
    user.refresh_from_db()
    assert user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {
        roles.MARKETING_GROUP,
        roles.CASHIERS_GROUP,
    }
    assert user.has_perm("till.use_till") and user.has_perm("loyalty.change_earningrules")
