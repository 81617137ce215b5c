"""Oscar's account views for members who sign in with a card and may have no password."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer import views as oscar_views

from core.throttle import client_ip
from loyalty.backends import MEMBER_CARD_BACKEND
from loyalty.selectors import card_get_for_user
from shop.apps.customer.forms import ConfirmCardPinForm, ConfirmPasswordForm
from shop.apps.customer.services import profile_delete, profile_delete_refusal
from staff.selectors import staff_landing_url


class AccountAuthView(oscar_views.AccountAuthView):
    def get_login_success_url(self, form):
        """Where the person's work is, unless the login page was given somewhere to go.

        Staff land on their workplace (marketing the CMS, operators the dashboard, cashiers
        the till: staff.selectors), where Oscar sends only ``is_staff`` accounts, and
        all of them to the dashboard. A member who signed in with a card lands on their
        account page (the card, its points, setting a password).
        """
        if form.cleaned_data["redirect_url"]:
            return super().get_login_success_url(form)
        user = form.get_user()
        workplace = staff_landing_url(user=user)
        if workplace is not None:
            return workplace
        if getattr(user, "backend", None) == MEMBER_CARD_BACKEND:
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


class ProfileDeleteView(oscar_views.ProfileDeleteView):
    """Deleting the account is confirmed with the secret the member signs in with.

    Oscar asks for the password, which accounts opened at the till, by the demo loader or by
    card sign-in do not have: such a member confirms with their card's PIN, as a bank card
    confirms with its PIN. Not "set a password first": that would make a member create a
    credential they never wanted only to close the account, and setting a first password asks
    for nothing (the member is already signed in), so it would prove no more than a session
    left open on a library computer. Only an account with neither a password nor a card (campus
    sign-on) has no secret of ours to confirm with; it is sent to set a password first.
    """

    template_name = "oscar/customer/profile/profile_delete.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        self.card = None
        refusal = user.is_authenticated and profile_delete_refusal(user=user)
        if refusal:
            messages.error(request, refusal)
            return redirect("customer:profile-view")
        if user.is_authenticated and not user.has_usable_password():
            self.card = card_get_for_user(user=user)
            if self.card is None:
                messages.info(
                    request,
                    _(
                        "Your account has no password or member card to confirm with. Set a "
                        "password first, then delete your profile with it."
                    ),
                )
                return redirect("customer:change-password")
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return ConfirmCardPinForm if self.card else ConfirmPasswordForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "ip": client_ip(self.request)}
        if self.card:
            kwargs["card"] = self.card
        return kwargs

    def get_context_data(self, **kwargs):
        kept_card = self.card or card_get_for_user(user=self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "confirm_with_pin": bool(self.card),
            "kept_card": kept_card,
        }

    def form_valid(self, form):
        # The card, wallet and past pre-orders stay as the store's records, unlinked
        # (customer.services); Oscar's user.delete() alone is refused by them.
        profile_delete(user=self.request.user)
        messages.success(
            self.request, _("Your profile has now been deleted. Thanks for using the site.")
        )
        return redirect(self.get_success_url())
