"""Factories for the till tests: staff, shifts and members are made through the services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from oscar.test.factories import UserFactory, create_product

from loyalty.models import MemberType
from staff import roles
from tests.factories.loyalty import member_card
from tests.factories.staff import staff_user
from till import services
from till.models import Register, RotaPost
from wallet import services as wallet_services

_ean_serial = itertools.count(1)


def ean13(serial: int) -> str:
    """A valid EAN-13 in the in-store range (prefix 20), like the demo's product codes."""
    body = f"20{serial:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def register(name: str = "Till 1") -> Register:
    return Register.objects.get_or_create(name=name)[0]


def cashier(**fields):
    """A staff user in the Cashiers group, and nothing else."""
    return staff_user(roles.CASHIER, **fields)


def open_shift(*, user=None, till: Register | None = None, opening_float: str = "100.00"):
    return services.shift_open(
        register_id=(till or register()).pk,
        cashier=user or cashier(),
        opening_float=Decimal(opening_float),
    )


def product(*, title: str = "Oat milk 1 l", price: str = "10.00", stock: int = 20, upc=None):
    return create_product(
        title=title,
        upc=upc or ean13(next(_ean_serial)),
        price=Decimal(price),
        num_in_stock=stock,
    )


def member(*, member_type_code: str = "staff", wallet: str | None = "0.00"):
    """A customer with a claimed card and, unless ``wallet`` is None, a wallet holding it."""
    user = UserFactory()
    # Migrations create the member types; a flushed transactional database may have lost them.
    MemberType.objects.get_or_create(
        code=member_type_code, defaults={"name": member_type_code.title()}
    )
    card = member_card(user=user, member_type_code=member_type_code)
    if wallet is not None:
        purse = wallet_services.wallet_get_or_create_for_user(user=user)
        if Decimal(wallet) > 0:
            wallet_services.wallet_adjust(
                wallet_id=purse.pk, amount=Decimal(wallet), created_by=None, note="test float"
            )
    return user, card


def rota_post(name: str = "Till 1", position: int = 0) -> RotaPost:
    return RotaPost.objects.get_or_create(name=name, defaults={"position": position})[0]
