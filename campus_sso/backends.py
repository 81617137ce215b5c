"""mozilla-django-oidc's backend, told how the store matches a campus login to an account.

A thin caller: the library proves the person's identity (code flow, token signature, nonce,
userinfo); ``campus_sso.services.campus_login`` decides the account and the member card.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from campus_sso import selectors, services

_MESSAGE_LEVELS = {
    services.CardLinkOutcome.LINKED: messages.SUCCESS,
    services.CardLinkOutcome.CLAIMED_BY_OTHER: messages.WARNING,
    services.CardLinkOutcome.CARD_NOT_ACTIVE: messages.WARNING,
    services.CardLinkOutcome.USER_HAS_CARD: messages.WARNING,
}


class CampusOIDCBackend(OIDCAuthenticationBackend):
    def _campus_id(self, claims) -> str:
        return selectors.campus_id_normalize(
            campus_id=str(claims.get(settings.CAMPUS_SSO_ID_CLAIM) or "")
        )

    def describe_user_by_claims(self, claims):
        return f"campus ID {self._campus_id(claims)}"

    def verify_claims(self, claims):
        # The campus ID is what the store trusts; an email is welcome but not required.
        if not self._campus_id(claims):
            self._refuse(
                _("The campus portal did not send a campus ID, so you cannot be logged in.")
            )
        return True

    def filter_users_by_claims(self, claims):
        return selectors.campus_users_for_id(campus_id=self._campus_id(claims))

    def create_user(self, claims):
        return self._campus_login(claims)

    def update_user(self, user, claims):
        return self._campus_login(claims)

    def _campus_login(self, claims):
        try:
            login = services.campus_login(
                campus_id=self._campus_id(claims),
                email=str(claims.get("email") or ""),
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("family_name") or ""),
            )
        except ValidationError as error:
            self._refuse(" ".join(error.messages))
        level = _MESSAGE_LEVELS.get(login.card_link.outcome)
        if level is not None and login.card_link.message:
            self._tell(level, login.card_link.message)
        return login.user

    def _refuse(self, message: str):
        self._tell(messages.ERROR, message)
        # Django's authenticate() stops at PermissionDenied: no other backend is tried, and
        # the callback view sends the person back to the login page, where the message shows.
        raise PermissionDenied(message)

    def _tell(self, level: int, message: str) -> None:
        if self.request is not None:
            messages.add_message(self.request, level, message)
