"""Factories for the CRM tests: customers, staff with the CRM roles, tickets."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from crm import services
from crm.models import TicketCategory
from staff import roles
from staff import services as staff_services

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
    """A staff user with the marketing manager role (export + merge)."""
    user = User.objects.create_user(
        username=username, email=f"{username}@campus.example", password=password
    )
    staff_services.staff_role_grant(user=user, key=roles.MARKETING_MANAGER)
    return User.objects.get(pk=user.pk)  # fresh permission cache


def profile_viewer(*, username: str = "crm-viewer", password: str = "crm-viewer-pw"):  # noqa: S107
    """Marketing staff (the marketing role): see profiles, may not export or merge."""
    user = User.objects.create_user(
        username=username, email=f"{username}@campus.example", password=password
    )
    staff_services.staff_role_grant(user=user, key=roles.MARKETING)
    return User.objects.get(pk=user.pk)


def ticket(*, customer=None, category=None, subject: str = "Bad milk", **kwargs):
    return services.ticket_create(
        category_id=(category or TicketCategoryFactory()).pk,
        subject=subject,
        body=kwargs.pop("body", "The milk was sour."),
        customer=customer or CustomerFactory(),
        **kwargs,
    )
