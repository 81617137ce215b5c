import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.apps.checkout"

    def ready(self):
        super().ready()
        self.stripe_authenticate_view = get_class("checkout.views", "StripeAuthenticateView")
        self.stripe_return_view = get_class("checkout.views", "StripeReturnView")
        self.stripe_webhook_view = get_class("checkout.views", "StripeWebhookView")

    def get_urls(self):
        urls = super().get_urls()
        stripe_urls = [
            path(
                "stripe/authenticate/",
                self.stripe_authenticate_view.as_view(),
                name="stripe-authenticate",
            ),
            path("stripe/return/", self.stripe_return_view.as_view(), name="stripe-return"),
        ]
        # The webhook is called by Stripe, not a shopper: it must stay out of
        # post_process_urls, which would put it behind login when anonymous checkout is off.
        webhook = [
            path("stripe/webhook/", self.stripe_webhook_view.as_view(), name="stripe-webhook")
        ]
        return urls + self.post_process_urls(stripe_urls) + webhook
