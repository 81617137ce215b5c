"""`manage.py segmentation_run [--as-of YYYY-MM-DD]`: a thin caller of the nightly service."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketing.services import segmentation_run


class Command(BaseCommand):
    help = "Recompute RFM scores, value groups, lifecycle, CLV and segment sizes."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD; default today")

    def handle(self, *args, as_of: str | None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(_("--as-of must be a date like 2015-12-31.")) from error
        summary = segmentation_run(as_of=day)
        self.stdout.write(
            ngettext(
                "Scored %(count)s customer as of %(day)s in %(seconds).2f s (retention %(rate)s).",
                "Scored %(count)s customers as of %(day)s in %(seconds).2f s (retention %(rate)s).",
                summary.customers,
            )
            % {
                "count": summary.customers,
                "day": summary.as_of,
                "seconds": summary.seconds,
                "rate": summary.retention_rate,
            }
        )
