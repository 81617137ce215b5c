"""Oscar's account views where an account may have no password (members who sign in by card)."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer import views as oscar_views


class ChangePasswordView(oscar_views.ChangePasswordView):
    """Change the password, or set a first one on an account that has none.

    Accounts opened at the till, by the demo loader or by campus sign-on have no usable
    password, so Oscar's form (which asks for the old password) is a dead end for them; the
    member is signed in (card + PIN), which is what the old password would have proved.
    """

    def _setting_first_password(self) -> bool:
        return not self.request.user.has_usable_password()

    def get_form_class(self):
        return SetPasswordForm if self._setting_first_password() else super().get_form_class()

    def get_page_title(self):
        if self._setting_first_password():
            return _("Set a password")
        return super().get_page_title()

    def form_valid(self, form):
        first_password = self._setting_first_password()
        response = super().form_valid(form)
        if first_password and self.request.user.email:
            messages.info(
                self.request,
                _("From now on you can also log in with %(email)s and this password.")
                % {"email": self.request.user.email},
            )
        return response
