"""Model fields that several apps declare the same way."""

from django.conf import settings
from django.db import models


def recorded_by_field(verbose_name=None, *, blank: bool = True, editable: bool = True):
    """The user who wrote a row (a note, a list entry, a segment, a campaign).

    The row outlives its author (``SET_NULL``) and the user gets no reverse accessor: what a
    staff member wrote is found from the rows, never from the user.
    """
    options = {"verbose_name": verbose_name} if verbose_name is not None else {}
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name="+",
        editable=editable,
        **options,
    )
