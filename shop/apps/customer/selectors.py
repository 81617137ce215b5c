"""Reads about a customer's account."""

from oscar.core.loading import get_model

Notification = get_model("communication", "Notification")


def notifications_unread_count(*, user) -> int:
    """How many of the user's notifications are unread: the header's account badge."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, date_read=None).count()
