from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from campus_sso.models import CampusIdentity


def campus_id_normalize(*, campus_id: str) -> str:
    # Portals pad some attributes with whitespace; the ID itself is kept as the portal spells it.
    return (campus_id or "").strip()


def campus_users_for_id(*, campus_id: str) -> QuerySet:
    """The store account (at most one) already linked to this campus identity."""
    return get_user_model().objects.filter(
        campus_identity__campus_id=campus_id_normalize(campus_id=campus_id)
    )


def campus_identity_for_user(*, user) -> CampusIdentity | None:
    return CampusIdentity.objects.filter(user=user).first()
