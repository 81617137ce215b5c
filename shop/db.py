"""Database helpers shared by the bulk loaders."""

from django.db import connection


def planner_statistics_refresh() -> None:
    """Give PostgreSQL's planner the statistics of rows written in this very transaction.

    `load_demo` writes tens of thousands of rows in one transaction; autovacuum only sees
    committed rows, so the planner still believes the tables are empty and picks nested loops
    that never finish (the marketing segment query ran for minutes). ANALYZE inside the
    transaction samples our own uncommitted rows too. SQLite needs nothing.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
