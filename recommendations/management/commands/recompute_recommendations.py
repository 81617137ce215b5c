import time

from django.core.management.base import BaseCommand

from recommendations import services


class Command(BaseCommand):
    help = "Rebuild every stored recommendation list from all paid orders."

    def handle(self, *args, **options):
        started = time.perf_counter()
        summary = services.recommendations_recompute()
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.lists_written} lists from {summary.lines} order lines "
                f"({summary.customers} customers, {summary.products} products) "
                f"in {time.perf_counter() - started:.2f} s"
            )
        )
