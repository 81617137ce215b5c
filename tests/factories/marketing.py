"""Factories for the marketing tests: members with a hand-made paid-order history."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from marketing import services
from marketing.models import Segment

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Category = get_model("catalogue", "Category")

_numbers = itertools.count(1)


def member(*, name: str = "", email: str | None = None):
    number = next(_numbers)
    username = name or f"mkt{number}"
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@campus.example" if email is None else email,
        first_name=username.capitalize(),
        password="x",  # noqa: S106
    )


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def history_order(
    *,
    user,
    total: str,
    day: dt.date,
    product=None,
    cost_price: str | None = None,
    status: str = "Complete",
    channel: str = "store",
):
    """A paid order of ``total`` on ``day`` with one line (of ``product`` if given)."""
    total_value = Decimal(total)
    order = Order.objects.create(
        number=f"MKT{next(_numbers)}",
        user=user,
        total_incl_tax=total_value,
        total_excl_tax=total_value,
        shipping_incl_tax=Decimal("0"),
        shipping_excl_tax=Decimal("0"),
        date_placed=at(day),
        status=status,
        channel=channel,
    )
    product = product or create_product(price=total_value)
    stockrecord = product.stockrecords.first()
    if cost_price is not None and stockrecord is not None:
        stockrecord.cost_price = Decimal(cost_price)
        stockrecord.save(update_fields=["cost_price"])
    Line.objects.create(
        order=order,
        product=product,
        stockrecord=stockrecord,
        partner_sku=stockrecord.partner_sku if stockrecord else "sku",
        title=product.get_title(),
        quantity=1,
        num_allocated=0,
        line_price_incl_tax=total_value,
        line_price_excl_tax=total_value,
        line_price_before_discounts_incl_tax=total_value,
        line_price_before_discounts_excl_tax=total_value,
    )
    return order


def category_product(*, name: str, price: str = "10.00"):
    category = Category.objects.filter(name=name).first() or Category.add_root(name=name)
    product = create_product(price=Decimal(price), num_in_stock=100)
    product.categories.add(category)
    return product


def rule_segment(*, name: str, rules: list[dict], match: str = "all") -> Segment:
    return services.segment_create(name=name, rules=rules, match=match)
