"""The checkout's first steps: how the order reaches the shopper, then (for delivery) where.

Oscar asks for a postal address and then a shipping method. The store asks the other way
round, because the method decides whether there is an address at all: pick-up in store has
none, campus delivery asks building and room and a delivery round. The round is part of the
shipping method (its code and name), so Oscar writes it on the order, and the Stripe webhook
finds the same method again from the code kept on the checkout attempt.
"""

from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import generic
from oscar.apps.checkout import views
from oscar.core.loading import get_class, get_model

from shop.apps.checkout.forms import CampusDeliveryForm
from shop.apps.shipping.codes import PICK_UP_CODE, shipping_method_needs_address
from shop.apps.shipping.methods import delivery_round_label, shipping_method_unwrap
from shop.apps.shipping.selectors import delivery_settings_get

Country = get_model("address", "Country")
FailedPreCondition = get_class("checkout.exceptions", "FailedPreCondition")
Repository = get_class("shipping.repository", "Repository")


class IndexView(views.IndexView):
    # The way to get the order comes first: pick-up needs no address at all.
    success_url = reverse_lazy("checkout:shipping-method")

    def get_form_kwargs(self):
        # "Returning customer" signs in through authenticate(): the login throttle and the
        # member card backend need the request (client address), as on the login page.
        return {**super().get_form_kwargs(), "request": self.request}


class ShippingMethodView(views.ShippingMethodView):
    """Pick-up in store (chosen here) or campus delivery (building, room and round next)."""

    def get(self, request, *args, **kwargs):
        if not request.basket.is_shipping_required():
            return super().get(request, *args, **kwargs)
        self._methods = self.get_available_shipping_methods()
        # Oscar's get would first ask for an address; here the method decides whether to.
        return generic.FormView.get(self, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["pick_up"] = next((m for m in self._methods if m.code == PICK_UP_CODE), None)
        deliveries = [m for m in self._methods if shipping_method_needs_address(code=m.code)]
        ctx["next_delivery"] = deliveries[0] if deliveries else None
        if deliveries:
            ctx["next_delivery_label"] = delivery_round_label(
                delivery_round=shipping_method_unwrap(deliveries[0]).delivery_round
            )
        ctx["delivery_settings"] = delivery_settings_get(request=self.request)
        ctx["chosen_code"] = self.checkout_session.shipping_method_code(self.request.basket)
        return ctx

    def form_valid(self, form):
        if not shipping_method_needs_address(code=form.cleaned_data["method_code"]):
            # Collected in store: forget a delivery address entered earlier in this checkout.
            self.checkout_session.reset_shipping_data()
        return super().form_valid(form)


class ShippingAddressView(views.ShippingAddressView):
    """Campus delivery: building and room (phone, notes) and the round, instead of a postal
    address. The round is the shipping method, so Oscar writes it on the order."""

    form_class = CampusDeliveryForm
    success_url = reverse_lazy("checkout:payment-method")
    pre_conditions = [
        *views.ShippingAddressView.pre_conditions,
        "check_campus_delivery_is_offered",
    ]

    def delivery_methods(self) -> list:
        if not hasattr(self, "_delivery_methods"):
            methods = Repository().get_shipping_methods(
                basket=self.request.basket, user=self.request.user, request=self.request
            )
            self._delivery_methods = [
                method for method in methods if shipping_method_needs_address(code=method.code)
            ]
        return self._delivery_methods

    def check_campus_delivery_is_offered(self, request):
        if not self.delivery_methods():
            raise FailedPreCondition(
                url=reverse("checkout:shipping-method"),
                message=_("Campus delivery is not available for this order."),
            )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["rounds"] = [
            (
                method.code,
                delivery_round_label(delivery_round=shipping_method_unwrap(method).delivery_round),
            )
            for method in self.delivery_methods()
        ]
        return kwargs

    def get_initial(self):
        initial = self.checkout_session.campus_delivery_fields()
        code = self.checkout_session.shipping_method_code(self.request.basket)
        if shipping_method_needs_address(code=code):
            initial["delivery_round"] = code
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.pop("addresses", None)
        ctx["delivery_settings"] = delivery_settings_get(request=self.request)
        return ctx

    def post(self, request, *args, **kwargs):
        # Only the form: no postal address book to ship to.
        return generic.FormView.post(self, request, *args, **kwargs)

    def form_valid(self, form):
        country = Country.objects.filter(is_shipping_country=True).order_by("pk").first()
        if country is None:
            form.add_error(
                None, _("Campus delivery is not available: the store has no delivery country.")
            )
            return self.form_invalid(form)
        data = form.cleaned_data
        user = self.request.user
        self.checkout_session.ship_to_new_address(
            {
                "first_name": user.first_name if user.is_authenticated else "",
                "last_name": user.last_name if user.is_authenticated else "",
                "line1": data["building"],
                "line2": _("Room %(room)s") % {"room": data["room"]},
                "phone_number": data["phone_number"] or "",
                "notes": data["notes"],
                "country_id": country.pk,
            }
        )
        self.checkout_session.set_campus_delivery_fields(
            {
                "building": data["building"],
                "room": data["room"],
                "phone_number": str(data["phone_number"] or ""),
                "notes": data["notes"],
            }
        )
        self.checkout_session.use_shipping_method(data["delivery_round"])
        return redirect(self.get_success_url())
