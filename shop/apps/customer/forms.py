"""Oscar's customer forms where members sign in with a card, and accounts have no password.

Members of the store hold a member card with a PIN; many accounts were opened at the till or
by the demo loader and have no usable password. The login form therefore takes either an email
address and password or a card number and PIN (``loyalty.backends.MemberCardBackend`` does the
checking), and password reset also reaches accounts without a password: its email is then a
link to set one. Deleting such an account is confirmed with the card's PIN.
"""

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oscar.apps.customer import forms as oscar_forms
from oscar.core.compat import get_user_model

from core.throttle import login_attempt_claim, login_failures_clear
from loyalty.backends import CARD_SIGN_IN_REFUSED_ATTRIBUTE
from loyalty.services.cards import card_authenticate

User = get_user_model()


class CardSignInErrorsMixin:
    """The errors of a sign-in form that takes a card number + PIN as well as an email address
    + password: the login page's and checkout's "returning customer" (``checkout.forms``)."""

    error_messages = {
        **oscar_forms.EmailAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct email address and password, or member card number and PIN."
        ),
    }

    def get_invalid_login_error(self):
        # The card's PIN was right but the card cannot sign in: say why.
        reason = getattr(self.request, CARD_SIGN_IN_REFUSED_ATTRIBUTE, None)
        if reason:
            return ValidationError(reason, code="card_sign_in_refused")
        return super().get_invalid_login_error()


class EmailAuthenticationForm(CardSignInErrorsMixin, oscar_forms.EmailAuthenticationForm):
    username = forms.CharField(
        label=_("Email address or member card number"),
        max_length=254,
        help_text=_("Members: the 16 digits on your card, with or without spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password or card PIN"),
        strip=False,
        help_text=_("With a card number, the card's PIN."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ConfirmCardPinForm(forms.Form):
    """Oscar's ``ConfirmPasswordForm`` for an account without a password: its card's PIN.

    The PIN is checked by ``loyalty.services.cards.card_authenticate``, so wrong PINs here count
    towards the same per-card and per-address locks as on the login form and the card lookup.
    """

    pin = forms.CharField(
        label=_("Card PIN"),
        max_length=8,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, user, *args, card, ip: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.card, self.ip = user, card, ip
        self.fields["pin"].help_text = _("The PIN of your member card ending in %(last4)s.") % {
            "last4": card.number[-4:]
        }

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        card_authenticate(number=self.card.number, pin=pin, ip=self.ip)
        return pin


class ConfirmPasswordForm(oscar_forms.ConfirmPasswordForm):
    """Oscar's password confirmation ("Delete profile"), counted by the login throttle.

    The password is checked with ``check_password``, not ``authenticate()``, so the login
    throttle's backend never sees it: each try is claimed here on the same counter as the login
    form's (the account's email address and the client's address), so wrong passwords on either
    page lock both, and a right one forgets them as a login does.
    """

    def __init__(self, user, *args, ip: str, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.ip = ip

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        username = self.user.email or self.user.get_username()
        if not login_attempt_claim(username=username, ip=self.ip):
            minutes = max(1, settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60)
            raise ValidationError(
                ngettext(
                    "Too many wrong passwords for this account from your network. Try again "
                    "in %(minutes)s minute.",
                    "Too many wrong passwords for this account from your network. Try again "
                    "in %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        password = super().clean_password()
        login_failures_clear(usernames=[username], ip=self.ip)
        return password


class PasswordResetForm(oscar_forms.PasswordResetForm):
    def get_users(self, email):
        """Active accounts with this email address, with a password or not.

        Django leaves out accounts without a usable password, so a member who signs in with a
        card would be told "email sent" while nothing was sent; they get a link to set a
        password instead (the email says which, from ``user.has_usable_password``).
        """
        email_field = User.get_email_field_name()
        accounts = User._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        # As Django does: the database's case-insensitive match is not Unicode's, and a
        # look-alike address must not receive another account's link.
        return (
            user
            for user in accounts
            if _casefolded(getattr(user, email_field)) == _casefolded(email)
        )


def _casefolded(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").casefold()
