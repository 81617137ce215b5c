"""Demo till data: two tills, the rota posts and a rota for the current week.

``till_demo_install()`` runs from ``load_demo`` after the demo staff accounts exist. It is
idempotent: tills and posts by name, rota slots only for a week that has none yet. What
cashiers and operators may do at the till is their roles' (shop/staff/roles.py).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from till import selectors, services
from till.models import Register, RotaAssignment, RotaPost

REGISTER_NAMES = ("Till 1", "Till 2")
ROTA_POSTS = ("Till 1", "Till 2", "Shelves", "Deli")
# (post, username, from, to) for every opening day: the cashier on till 1 in the morning
# and till 2 in the afternoon, the operator on shelves; the deli is left for marketing to see
# an empty post.
DEMO_ROTA_DAY = (
    ("Till 1", "cashier", dt.time(8), dt.time(13)),
    ("Shelves", "operator", dt.time(8), dt.time(12)),
    ("Till 2", "cashier", dt.time(14), dt.time(18)),
    ("Till 1", "operator", dt.time(13), dt.time(17)),
)


@transaction.atomic
def till_demo_install(*, today: dt.date | None = None) -> int:
    """Tills, posts and this week's rota; returns the number of rota slots created."""
    for name in REGISTER_NAMES:
        Register.objects.get_or_create(name=name)
    for position, name in enumerate(ROTA_POSTS):
        RotaPost.objects.get_or_create(name=name, defaults={"position": position})

    monday = selectors.week_monday(day=today or timezone.localdate())
    if RotaAssignment.objects.filter(
        day__gte=monday, day__lt=monday + dt.timedelta(days=7)
    ).exists():
        return 0
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["cashier", "operator"])
    }
    posts = {post.name: post for post in RotaPost.objects.all()}
    created = 0
    for offset in range(6):  # Monday to Saturday
        for post_name, username, starts_at, ends_at in DEMO_ROTA_DAY:
            if username not in users:
                continue
            services.rota_assignment_save(
                post_id=posts[post_name].pk,
                staff=users[username],
                day=monday + dt.timedelta(days=offset),
                starts_at=starts_at,
                ends_at=ends_at,
            )
            created += 1
    return created
