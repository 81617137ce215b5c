"""Periodic catalogue jobs (Celery)."""

from celery import shared_task

from shop.apps.catalogue.services import product_views_flush


@shared_task(name="catalogue.product_views_flush")
def product_views_flush_task() -> int:
    """Idempotent: each closed period of counted product views is added once."""
    return product_views_flush()
