"""Loyalty's own signals."""

from django.dispatch import Signal

# Sent inside the transaction that moved a points account to another tier, with
# ``account_id``: the member is told once that transaction commits.
tier_changed = Signal()
