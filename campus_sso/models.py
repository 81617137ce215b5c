"""Campus single sign-on: which store account belongs to which campus identity.

The link lives here, not on the member card, because a campus member may log in before any
card was issued to them (or after it was replaced): the account must be found again by its
campus ID whatever happens to cards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampusIdentity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="campus_identity",
        verbose_name=_("Customer"),
    )
    # Same length as loyalty.MemberCard.campus_id, which it is matched against.
    campus_id = models.CharField(_("Campus ID"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("Last campus login"), null=True, blank=True)

    class Meta:
        verbose_name = _("Campus identity")
        verbose_name_plural = _("Campus identities")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(campus_id=""), name="campus_sso_identity_campus_id_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.campus_id
