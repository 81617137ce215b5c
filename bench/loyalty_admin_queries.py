"""Queries and time of the loyalty member screens in /cms/ on the demo data (3,898 members).

Run on a database where `load_demo` ran:

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 LOG_LEVEL=WARNING \
        .venv/bin/python manage.py shell -c "exec(open('bench/loyalty_admin_queries.py').read())"

Each page is requested twice (cold, then warm); the query count must be the same for every
page of the member list, whatever the number of members.
"""

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loyalty.models import MemberCard, MemberType

busiest = MemberCard.objects.annotate(n=Count("user__orders")).order_by("-n").first()
client = Client(HTTP_HOST="localhost")
client.force_login(get_user_model().objects.get(username="marketing"))
staff = MemberType.objects.get(code="staff").pk
requests = [
    ("member list, page 1", "/cms/loyalty_members/", {}),
    ("member list, page 40", "/cms/loyalty_members/", {"p": 40}),
    ("search 'member12'", "/cms/loyalty_members/", {"q": "member12"}),
    (
        "staff, 500-2000 points",
        "/cms/loyalty_members/",
        {"member_type": staff, "points_min": 500, "points_max": 2000},
    ),
    ("member detail (busiest)", f"/cms/loyalty_members/{busiest.pk}/", {}),
    ("adjustments list", "/cms/loyalty_points_adjustments/", {}),
]
print("members:", MemberCard.objects.count())
for label, url, params in requests + [
    ("(warm) " + label, url, params) for label, url, params in requests
]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, params)
        ms = (time.perf_counter() - started) * 1000
    slowest = max(float(q["time"]) for q in queries.captured_queries)
    print(
        f"{label:36} {response.status_code} {len(queries.captured_queries):3} queries "
        f"{ms:6.0f} ms (slowest query {slowest * 1000:.0f} ms)"
    )
