"""Whether an account may open Wagtail's admin is asked of Django once, then read from the
cache, and a change of the account's groups or permissions, or of a group's, is seen at once.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import UserFactory

from staff import roles
from staff.selectors import staff_account_is

pytestmark = pytest.mark.django_db


def _fresh(user):
    # A new object, as the next request loads it: Django's own permission cache left behind.
    return get_user_model().objects.get(pk=user.pk)


def _marketing_group() -> Group:
    return Group.objects.get(name=roles.ROLES_BY_KEY[roles.MARKETING].group)


def test_a_shoppers_answer_costs_no_query_once_cached():
    shopper = UserFactory(is_staff=False)
    assert not staff_account_is(user=_fresh(shopper))

    with CaptureQueriesContext(connection) as queries:
        answer = staff_account_is(user=_fresh(shopper))

    assert answer is False
    assert len(queries) == 1  # loading the user above, nothing after it


def test_joining_and_leaving_a_group_that_opens_the_admin_is_seen_at_once():
    person = UserFactory(is_staff=False)
    assert not staff_account_is(user=_fresh(person))

    person.groups.add(_marketing_group())
    assert staff_account_is(user=_fresh(person))

    person.groups.remove(_marketing_group())
    assert not staff_account_is(user=_fresh(person))

    _marketing_group().user_set.add(person)
    assert staff_account_is(user=_fresh(person))
    _marketing_group().user_set.clear()
    assert not staff_account_is(user=_fresh(person))


def test_a_permission_given_or_a_groups_permission_taken_is_seen_at_once():
    access = Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    person, editor = UserFactory(is_staff=False), UserFactory(is_staff=False)
    editor.groups.add(_marketing_group())
    assert not staff_account_is(user=_fresh(person))
    assert staff_account_is(user=_fresh(editor))

    person.user_permissions.add(access)
    _marketing_group().permissions.remove(access)

    assert staff_account_is(user=_fresh(person))
    assert not staff_account_is(user=_fresh(editor))


def test_a_deleted_group_no_longer_opens_the_admin():
    editor = UserFactory(is_staff=False)
    group = Group.objects.create(name="Guest editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    editor.groups.add(group)
    assert staff_account_is(user=_fresh(editor))

    group.delete()

    assert not staff_account_is(user=_fresh(editor))
