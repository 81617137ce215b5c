"""CRM report, KPI and profile pages on the demo data: render time and SQL queries.

Run on a database after `load_demo`:
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 LOG_LEVEL=WARNING \
        .venv/bin/python manage.py shell -c "exec(open('bench/crm_reports.py').read())"
"""

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

User = get_user_model()
client = Client()
client.force_login(User.objects.get(username="marketingmanager"))
member = User.objects.filter(username__startswith="member", crm_tickets__isnull=False).first()
pages = [
    ("reports (12 months, by month)", reverse("crm_reports:index")),
    ("reports (12 months, by day)", reverse("crm_reports:index") + "?period=day"),
    ("KPIs (12 months)", reverse("crm_kpis:index")),
    ("complaint queue", reverse("crm_tickets:index")),
    ("360° profile", reverse("crm_customers:profile", args=[member.pk])),
    ("duplicates", reverse("crm_customers:duplicates")),
]
for label, url in pages:
    client.get(url)  # warm caches and templates
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    print(f"{label:<32} {seconds * 1000:>7.0f} ms {len(queries):>4} queries")
