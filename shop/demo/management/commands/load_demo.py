"""`manage.py load_demo`: a thin caller of shop.demo.services.demo_data_load."""

import logging
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from shop.demo.history import PurchaseHistoryError
from shop.demo.selectors import demo_logins_lines
from shop.demo.services import DemoDatesError, demo_data_load

# Loading the demo runs every app's real services: with Celery eager each task logs a line,
# Wagtail logs every page it publishes, and reminder emails go to made-up demo addresses.
# None of that is news to whoever runs `make run`.
NOISY_LOGGERS = ("celery.app.trace", "django_tasks", "wagtail")


@contextmanager
def demo_side_effects_muted():
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = (
        "Load the demo store (catalogue, members, their order history, staff accounts, site "
        "pages) from the purchase-history CSV. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv",
            dest="csv_path",
            type=Path,
            default=None,
            help="Purchase history (member_number,date,item); default: settings.DEMO_CSV_PATH.",
        )
        parser.add_argument(
            "--keep-dates",
            action="store_true",
            help=(
                "Load the history on the CSV's own dates (into an empty database) instead of "
                "moving it by whole weeks to end just before today."
            ),
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing unless something goes wrong."
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Leave out the demo logins (`make run` prints them once, after the URLs).",
        )

    def handle(
        self,
        *args,
        csv_path: Path | None,
        keep_dates: bool,
        quiet: bool,
        no_logins: bool = False,
        **options,
    ):
        csv_path = Path(csv_path or settings.DEMO_CSV_PATH)
        try:
            with demo_side_effects_muted():
                summary = demo_data_load(csv_path=csv_path, keep_dates=keep_dates)
        except (PurchaseHistoryError, DemoDatesError) as error:
            raise CommandError(str(error)) from error
        if quiet:
            return

        if summary.already_loaded:
            self.stdout.write(
                _("Demo data already loaded from %(path)s; nothing to add.") % {"path": csv_path}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Demo data loaded from %(path)s.") % {"path": csv_path})
            )
        rows = [
            (_("CSV rows"), summary.csv_rows, None),
            (_("categories"), summary.categories_total, None),
            (_("products"), summary.products_total, summary.products_created),
            (_("product pictures (new)"), summary.pictures_created, None),
            (_("customer accounts"), summary.members_total, summary.members_created),
            (_("history orders"), summary.orders_total, summary.orders_created),
            (_("history order lines (new)"), summary.lines_created, None),
            (_("staff accounts"), len(DEMO_STAFF_ACCOUNTS), summary.staff_created),
        ]
        for label, total, created in rows:
            new = "" if created is None else "  " + _("(%(count)s new)") % {"count": f"{created:,}"}
            self.stdout.write(f"  {label:<28}{total:>8,}{new}")
        self.stdout.write(self._dates_line(summary.dates))
        self.stdout.write(f"  {_('took'):<28}{summary.seconds:>8.1f} s")
        if no_logins:
            return
        self.stdout.write(_("Demo logins (password set when the account was created):"))
        for line in demo_logins_lines():
            self.stdout.write(line)

    @staticmethod
    def _dates_line(dates) -> str:
        """The date range loaded, so whoever runs the demo knows which days hold its sales."""
        if dates.weeks:
            return _(
                "History dated %(first)s to %(last)s (the file's %(original_first)s to "
                "%(original_last)s, moved by whole weeks); cards, points, tiers and reports "
                "as of %(today)s."
            ) % {
                "first": dates.first_day,
                "last": dates.last_day,
                "original_first": dates.original_first_day,
                "original_last": dates.original_last_day,
                "today": dates.today,
            }
        return _(
            "History dated %(first)s to %(last)s (the file's own dates); cards, points, tiers "
            "and reports as of %(today)s."
        ) % {"first": dates.first_day, "last": dates.last_day, "today": dates.today}
