"""Forget the cached delivery settings whenever marketing saves them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shop.apps.shipping.models import DeliverySettings
from shop.apps.shipping.selectors import delivery_settings_forget


@receiver(
    [post_save, post_delete], sender=DeliverySettings, dispatch_uid="shipping_settings_forget"
)
def delivery_settings_changed(sender, **kwargs):
    delivery_settings_forget()
