"""Factories for the CRM tests: customers, staff with the CRM roles, tickets."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crm import services
from crm.models import TicketCategory

User = get_user_model()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"crm-customer-{n}")
    email = factory.Sequence(lambda n: f"crm-customer-{n}@campus.example")
    first_name = "Li"
    last_name = factory.Sequence(lambda n: f"Customer{n}")


class TicketCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")
    first_reply_hours = 24


def marketing_manager(*, username: str = "crm-manager", password: str = "crm-manager-pw"):  # noqa: S107
    """A staff user in the "Marketing managers" group (export + merge)."""
    group = services.crm_roles_install()
    user = User.objects.create_user(
        username=username, email=f"{username}@campus.example", password=password
    )
    user.groups.add(group)
    return User.objects.get(pk=user.pk)  # fresh permission cache


def profile_viewer(*, username: str = "crm-viewer", password: str = "crm-viewer-pw"):  # noqa: S107
    """Marketing staff (Wagtail editors): see profiles, may not export or merge."""
    editors, _created = Group.objects.get_or_create(name="Editors")
    services.crm_roles_install()
    user = User.objects.create_user(
        username=username, email=f"{username}@campus.example", password=password
    )
    user.groups.add(editors)
    return User.objects.get(pk=user.pk)


def ticket(*, customer=None, category=None, subject: str = "Bad milk", **kwargs):
    return services.ticket_create(
        category_id=(category or TicketCategoryFactory()).pk,
        subject=subject,
        body=kwargs.pop("body", "The milk was sour."),
        customer=customer or CustomerFactory(),
        **kwargs,
    )
