"""The customer-value groups and lifecycle stages the nightly segmentation assigns.

Their own module because both the stored figures (``models.CustomerValue``) and the segment
rules (``rules``, which ``models`` imports to check a segment) name them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueGroup(models.TextChoices):
    MOST_VALUABLE = "most_valuable", _("Most valuable")
    GROWTH = "growth", _("Growth")
    LOW_VALUE = "low_value", _("Low / negative value")
    PRE_CHURN = "pre_churn", _("Pre-churn")


class Lifecycle(models.TextChoices):
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    LAPSING = "lapsing", _("Lapsing")
    CHURNED = "churned", _("Churned")
