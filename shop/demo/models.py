"""What load_demo remembers between runs about the demo in this database."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HistoryShift(models.Model):
    """How many whole weeks load_demo moved this database's purchase history (0: its own dates).

    A later run, days or weeks on, must top the demo up on the dates it was loaded on: moved
    by a new amount, every history order would get a new number and be loaded a second time.
    One row (pk 1).
    """

    weeks = models.IntegerField(_("Weeks moved forward"))
    loaded_on = models.DateField(_("Loaded on"))

    class Meta:
        verbose_name = _("Demo history shift")
        verbose_name_plural = _("Demo history shifts")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="demo_historyshift_single_row"),
        ]

    def __str__(self) -> str:
        return str(self.weeks)
