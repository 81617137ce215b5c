"""Oscar's offer applicator, reading the site offers once per request.

Oscar loads it with ``get_class("offer.applicator", "Applicator")``. A storefront request
applies the offers in the basket middleware and the basket page lists them again for its
upsell messages; each time Oscar reads the site offers, and every application of an offer
builds a fresh proxy of its benefit and condition, which loads the range again (and the
range's product query, cached on the range object, is lost with it). Here the site offers
are read once per request, with their benefit and condition turned into their proxies once,
so the range and its cached queries live for the whole request. Staff change offers
between requests, never during one. The basket's vouchers are read once per basket object,
as a prefetched relation: adding or removing a voucher through ``basket.vouchers`` drops
Django's prefetched rows, so a voucher added to the basket still applies in the same request.
"""

from django.db.models import prefetch_related_objects
from oscar.apps.offer import applicator

SITE_OFFERS_REQUEST_ATTRIBUTE = "_shop_site_offers"


class Applicator(applicator.Applicator):
    request = None

    def get_offers(self, basket, user=None, request=None):
        self.request = request
        return super().get_offers(basket, user, request)

    def get_site_offers(self):
        if self.request is None:
            return self._site_offers_load()
        offers = getattr(self.request, SITE_OFFERS_REQUEST_ATTRIBUTE, None)
        if offers is None:
            offers = self._site_offers_load()
            setattr(self.request, SITE_OFFERS_REQUEST_ATTRIBUTE, offers)
        return offers

    def get_basket_offers(self, basket, user):
        if basket.id and user:
            prefetch_related_objects([basket], "vouchers")
        return super().get_basket_offers(basket, user)

    def _site_offers_load(self):
        offers = list(
            super().get_site_offers().select_related("benefit__range", "condition__range")
        )
        for offer in offers:
            # ``proxy()`` returns the object itself once it is a proxy, so later calls
            # (one per application) keep the range given here.
            offer.benefit = _proxy_keeping_range(offer.benefit)
            offer.condition = _proxy_keeping_range(offer.condition)
        return offers


def _proxy_keeping_range(benefit_or_condition):
    # Oscar's proxy() copies the fields but not the related objects already loaded.
    proxy = benefit_or_condition.proxy()
    if proxy is not benefit_or_condition and benefit_or_condition.range_id is not None:
        proxy.range = benefit_or_condition.range
    return proxy
