"""Forget a basket's cached version whenever what its page shows of it changes.

Oscar changes baskets through saves and deletes (a queryset delete of lines sends
``post_delete`` for each line too), and vouchers through the basket's ``vouchers`` relation.
A voucher itself is saved when it is added to a basket (its counter) or edited on the
dashboard: the open baskets holding it show it, so their versions are forgotten too.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from shop.apps.basket.selectors import basket_version_forget

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
LineAttribute = get_model("basket", "LineAttribute")
Voucher = get_model("voucher", "Voucher")


@receiver([post_save, post_delete], sender=Basket, dispatch_uid="basket_version_forget_basket")
def basket_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        basket_version_forget(basket_id=instance.pk)


@receiver([post_save, post_delete], sender=Line, dispatch_uid="basket_version_forget_line")
def basket_line_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        basket_version_forget(basket_id=instance.basket_id)


@receiver(
    [post_save, post_delete], sender=LineAttribute, dispatch_uid="basket_version_forget_option"
)
def basket_line_option_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    basket_id = Line.objects.filter(pk=instance.line_id).values_list("basket_id", flat=True).first()
    if basket_id is not None:
        basket_version_forget(basket_id=basket_id)


@receiver(
    m2m_changed, sender=Basket.vouchers.through, dispatch_uid="basket_version_forget_vouchers"
)
def basket_vouchers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    basket_ids = (pk_set or ()) if reverse else (instance.pk,)
    for basket_id in basket_ids:
        basket_version_forget(basket_id=basket_id)


@receiver([post_save, post_delete], sender=Voucher, dispatch_uid="basket_version_forget_voucher")
def voucher_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for basket_id in Basket.open.filter(vouchers__pk=instance.pk).values_list("pk", flat=True):
        basket_version_forget(basket_id=basket_id)
