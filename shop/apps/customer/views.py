"""Oscar's account views for members who sign in with a card and may have no password."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer import views as oscar_views

from loyalty.backends import MEMBER_CARD_BACKEND


class AccountAuthView(oscar_views.AccountAuthView):
    def get_login_success_url(self, form):
        """A member who signed in with a card lands on their account page (the card, its
        points, setting a password), unless the login page was given somewhere to go."""
        card_sign_in = getattr(form.get_user(), "backend", None) == MEMBER_CARD_BACKEND
        if card_sign_in and not form.cleaned_data["redirect_url"]:
            return reverse("customer:profile-view")
        return super().get_login_success_url(form)

    def post(self, request, *args, **kwargs):
        """Oscar answers a post that names neither form with an empty 400; show the page again
        and say what to do, so a person (or a broken client) learns why nothing happened."""
        if "login_submit" in request.POST or "registration_submit" in request.POST:
            return super().post(request, *args, **kwargs)
        context = self.get_context_data(
            login_form=self.get_login_form(), registration_form=self.get_registration_form()
        )
        messages.error(request, _("Choose “Log In” or “Register” to send the form."))
        return self.render_to_response(context, status=400)


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
