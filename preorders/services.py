"""Write-side services for pre-orders (HackSoft style: services write, selectors read).

Life of a pre-order (``docs/architecture.md`` § Pre-orders has the whole story):

1. checkout: ``preorder_reserve`` holds the units under the settings row's lock (never more than
   the cap), then ``preorder_payment_secure`` takes the money the product's policy asks for
   (charge in full, authorise, or save the card) and ``preorder_attach_to_order`` links the
   reservation to the Oscar order line. The order stays ``Pending``.
2. release day: ``preorder_release`` captures or charges, records the payment on the order and
   calls ``order_mark_paid``, so points, stock and recommendations follow the one paid path.
   A refused charge emails a pay-again link (``preorder_pay_again``); past the grace period
   the pre-order is cancelled and its unit goes back on sale.
3. changes: ``preorder_release_date_move``, ``preorder_cancel`` (customer before release,
   operator any time), ``preorder_product_cancel_all``.
4. collection in store: a copy is announced ready only when it is on the shelf. Release
   charges and sends the order down the paid path as always, which takes the unit off the
   shelf; when the shelf was short (the goods have not arrived) the line stays allocated and
   the pre-order is "waiting for stock": charged, told it is released and that we will write
   again, with no collection deadline yet. When stock arrives (``preorders_waiting_stock_fill``,
   from the stock ledger) the waiting lines take it, first charged first served, and each
   collection pre-order covered is emailed "ready to collect" and its deadline starts. Stock
   never goes negative: only what is on the shelf is taken. Then the reminder before the
   deadline, ``preorder_hand_over`` at the till, ``preorder_no_show`` after the deadline.

Stripe calls never happen inside a database transaction; every call that moves money has an
idempotency key derived from the pre-order id, and the release is claimed by one run at a time.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from core.links import site_url
from crm.selectors import customer_restrictions
from operations import selectors as operations_selectors
from operations import services as operations_services
from preorders import selectors
from preorders.models import (
    AUTHORISATION_WINDOW_DAYS,
    NoShow,
    PaymentPolicy,
    Preorder,
    PreorderSettings,
)
from shop.apps.order.constants import (
    ORDER_STATUS_CANCELLED,
    ORDER_STATUS_PENDING,
    ORDER_STATUS_SHIPPED,
    PAYMENT_EVENT_PAID,
    SOURCE_TYPE_STRIPE,
)
from shop.apps.order.services import order_mark_paid, order_refund
from shop.apps.payment import stripe_gateway
from shop.apps.shipping.methods import moment_label
from shop.apps.shipping.selectors import (
    delivery_settings_get,
    order_handover_get,
    pickup_ready_at,
)
from shop.cache import cache_forget

logger = logging.getLogger(__name__)

Line = get_model("order", "Line")
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

PREORDER_METADATA_KIND = "preorder"
PAYMENT_EVENT_AUTHORISED = "Authorised"
# A reservation whose checkout never placed an order (browser closed, crash) is given back.
UNPLACED_RESERVATION_MINUTES = 60
# A release run that died mid-way is retried by a later run after this long.
RELEASE_CLAIM_MINUTES = 15
ZERO = Decimal("0.00")


class PreorderPaymentRefused(ValidationError):
    """The card was refused (or could not be used); the reservation was given back."""


# --------------------------------------------------------------------------- helpers


def _open_products_changed() -> None:
    cache_forget(key=selectors.PREORDER_PRODUCT_IDS_CACHE_KEY)


def _order_url(preorder: Preorder) -> str:
    """The customer's own order page; a guest has no account, so Oscar's order status page,
    opened with the order number and its verification hash."""
    if preorder.user_id or preorder.line_id is None:
        return site_url(reverse("customer:order", kwargs={"order_number": preorder.order_number}))
    order = preorder.line.order
    return site_url(
        reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    )


def _email_customer(*, preorder: Preorder, kind: str, subject: str, **context) -> None:
    """Render now, send after commit: an email never announces something rolled back."""
    email = preorder.email or (preorder.user.email if preorder.user_id else "")
    if not email:
        return
    with translation.override(django_settings.LANGUAGE_CODE):
        if preorder.line_id is not None:
            # Released pre-orders say where and when they are handed over, as chosen.
            context.setdefault("handover", order_handover_get(order=preorder.line.order))
        body = render_to_string(
            f"preorders/email/{kind}.txt",
            {
                "preorder": preorder,
                "product": preorder.settings.product,
                "order_url": _order_url(preorder),
                "shop_name": django_settings.OSCAR_SHOP_NAME,
                **context,
            },
        )
    transaction.on_commit(
        lambda: send_mail(
            subject, body, django_settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True
        )
    )


def _customer_restrictions(user):
    """The CRM's white/grey/black lists of a signed-in customer."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return customer_restrictions(user=user)


def preorder_policy_effective(*, settings: PreorderSettings, today: date | None = None) -> str:
    """The policy a new pre-order gets: "authorise" only fits inside the authorisation window.

    An authorisation lapses after about 7 days, so when the release is further away the card
    is saved instead and charged off-session on release day (the same money at the same
    moment, without an authorisation that would expire first).
    """
    today = today or timezone.localdate()
    if (
        settings.payment_policy == PaymentPolicy.AUTHORISE
        and (settings.release_date - today).days > AUTHORISATION_WINDOW_DAYS
    ):
        return PaymentPolicy.SAVE_CARD
    return settings.payment_policy


# --------------------------------------------------------------------------- settings


@transaction.atomic
def preorder_settings_save(
    *,
    product,
    release_date: date,
    cap: int,
    payment_policy: str = PaymentPolicy.PAY_NOW,
    collect_in_store: bool = False,
    pickup_days: int = 7,
    no_show_fee: Decimal = ZERO,
    payment_grace_days: int = 3,
    few_left_threshold: int = 5,
    is_active: bool = True,
    changed_by=None,
) -> PreorderSettings:
    """Make a product pre-orderable or change its terms.

    A new release date for a product that already has pre-orders goes through
    ``preorder_release_date_move`` so customers are told; the cap may not drop below the units
    already sold.
    """
    if payment_policy not in PaymentPolicy.values:
        raise ValidationError(_("Unknown payment policy."))
    if cap < 1:
        raise ValidationError(_("Allow at least one pre-order unit."))
    if no_show_fee < 0:
        raise ValidationError(_("The no-show fee cannot be negative."))
    existing = PreorderSettings.objects.select_for_update().filter(product=product).first()
    if existing is None:
        if release_date <= timezone.localdate():
            raise ValidationError(_("The release date must be after today."))
        settings = PreorderSettings(product=product, release_date=release_date, cap=cap)
    else:
        settings = existing
        held = selectors.preorder_units_held(settings_id=settings.pk)
        if cap < held:
            raise ValidationError(
                ngettext(
                    "%(n)s unit is already pre-ordered: the cap cannot be lower.",
                    "%(n)s units are already pre-ordered: the cap cannot be lower.",
                    held,
                )
                % {"n": held}
            )
        settings.cap = cap
    settings.payment_policy = payment_policy
    settings.collect_in_store = collect_in_store
    settings.pickup_days = pickup_days
    settings.no_show_fee = no_show_fee
    settings.payment_grace_days = payment_grace_days
    settings.few_left_threshold = few_left_threshold
    settings.is_active = is_active
    settings.full_clean()
    settings.save()
    if existing is not None and existing.release_date != release_date:
        preorder_release_date_move(
            settings_id=settings.pk, release_date=release_date, moved_by=changed_by
        )
    _open_products_changed()
    return settings


# --------------------------------------------------------------------------- checkout


def preorder_reserve(
    *,
    settings_id: int,
    quantity: int,
    user,
    email: str,
    order_number: str,
    amount: Decimal,
    currency: str,
    collect_in_store: bool = False,
) -> Preorder:
    """Hold ``quantity`` units for a checkout, or refuse with a clear message.

    ``collect_in_store``: the shopper chose pick-up; a product the operator set to be
    collected is collected whatever was chosen. A collected pre-order is handed over at the
    till by its deadline (``preorder_hand_over``), a delivered one ships with its order.

    The settings row is locked (``SELECT … FOR UPDATE`` on PostgreSQL) while the held units
    are summed and the reservation written, so concurrent checkouts queue here and the cap
    holds; the reservation commits before the card is touched.
    """
    if quantity < 1:
        raise ValidationError(_("Pre-order at least one unit."))
    restrictions = _customer_restrictions(user)
    if restrictions is not None and not restrictions.may_preorder:
        raise ValidationError(
            restrictions.reason or _("Pre-orders are not available on your account.")
        )
    today = timezone.localdate()
    with transaction.atomic():
        settings = PreorderSettings.objects.select_for_update().get(pk=settings_id)
        if not settings.is_active or settings.release_date <= today:
            raise ValidationError(
                _("Pre-orders for %(product)s are closed.") % {"product": settings.product}
            )
        # A retried "place order" of the same checkout gives back its earlier reservation.
        Preorder.objects.filter(
            order_number=order_number,
            line__isnull=True,
            status__in=[Preorder.Status.RESERVED, Preorder.Status.AWAITING_RELEASE],
            payment_intent_id="",
            setup_intent_id="",
        ).update(
            status=Preorder.Status.CANCELLED,
            cancelled_at=timezone.now(),
            cancel_reason="superseded by a retry",
        )
        remaining = settings.cap - selectors.preorder_units_held(settings_id=settings.pk)
        if quantity > remaining:
            if remaining <= 0:
                raise ValidationError(
                    _("Sorry, %(product)s is fully pre-ordered.") % {"product": settings.product}
                )
            raise ValidationError(
                ngettext(
                    "Sorry, only %(n)s unit of %(product)s is left to pre-order.",
                    "Sorry, only %(n)s units of %(product)s are left to pre-order.",
                    remaining,
                )
                % {"n": remaining, "product": settings.product}
            )
        policy = preorder_policy_effective(settings=settings, today=today)
        if restrictions is not None and restrictions.must_prepay_preorders:
            policy = PaymentPolicy.PAY_NOW
        return Preorder.objects.create(
            settings=settings,
            order_number=order_number,
            user=user if getattr(user, "is_authenticated", False) else None,
            email=email or getattr(user, "email", "") or "",
            quantity=quantity,
            amount=amount,
            currency=currency,
            policy=policy,
            status=Preorder.Status.RESERVED,
            expected_date=settings.release_date,
            collect_in_store=settings.collect_in_store or collect_in_store,
        )


def _metadata(preorder: Preorder) -> dict[str, str]:
    return {
        "kind": PREORDER_METADATA_KIND,
        "preorder": str(preorder.pk),
        "order_number": preorder.order_number,
    }


def preorder_payment_secure(*, preorder_id: int, payment_method_id: str) -> Preorder:
    """Take what the pre-order's policy asks for now; on refusal give the unit back.

    Raises ``PreorderPaymentRefused`` with a message for the shopper.
    """
    preorder = Preorder.objects.select_related("settings__product").get(pk=preorder_id)
    key = f"preorder-{preorder.pk}-secure"
    updates: dict = {"payment_method_id": payment_method_id}
    try:
        if preorder.policy == PaymentPolicy.SAVE_CARD:
            saved = stripe_gateway.card_save_for_later(
                email=preorder.email,
                payment_method_id=payment_method_id,
                idempotency_key=key,
                metadata=_metadata(preorder),
            )
            updates.update(customer_id=saved.customer_id, setup_intent_id=saved.setup_intent_id)
        else:
            manual = preorder.policy == PaymentPolicy.AUTHORISE
            payment_intent = stripe_gateway.payment_intent_create(
                amount=preorder.amount,
                currency=preorder.currency,
                payment_method_id=payment_method_id,
                idempotency_key=key,
                metadata=_metadata(preorder),
                capture_method="manual" if manual else "automatic",
            )
            updates["payment_intent_id"] = payment_intent.id
            expected = "requires_capture" if manual else "succeeded"
            if payment_intent.status != expected:
                # 3-D Secure cannot be completed inside the pre-order checkout: void it.
                _payment_intent_void(payment_intent_id=payment_intent.id, key=f"{key}-void")
                raise stripe_gateway.CardDeclined(
                    f"PaymentIntent {payment_intent.id} is {payment_intent.status}",
                    user_message=_(
                        "This card needs an extra authentication step that pre-orders cannot "
                        "use. Nothing was charged: please use another card."
                    ),
                )
            if manual:
                updates["status"] = Preorder.Status.RESERVED
            else:
                updates["status"] = Preorder.Status.AWAITING_RELEASE
    except stripe_gateway.GatewayError as exc:
        _reservation_give_back(preorder_id=preorder.pk, reason=str(exc))
        raise PreorderPaymentRefused(str(exc.user_message)) from exc
    with transaction.atomic():
        Preorder.objects.filter(pk=preorder.pk).update(**updates, updated_at=timezone.now())
    preorder.refresh_from_db()
    return preorder


def _payment_intent_void(*, payment_intent_id: str, key: str) -> None:
    try:
        stripe_gateway.payment_intent_cancel(
            payment_intent_id=payment_intent_id, idempotency_key=key
        )
    except stripe_gateway.GatewayError:
        logger.error("Could not void PaymentIntent %s", payment_intent_id)


def _reservation_give_back(*, preorder_id: int, reason: str) -> None:
    with transaction.atomic():
        Preorder.objects.filter(pk=preorder_id, line__isnull=True).exclude(
            status=Preorder.Status.CANCELLED
        ).update(
            status=Preorder.Status.CANCELLED,
            cancelled_at=timezone.now(),
            cancel_reason=reason[:255],
        )


def preorder_abandon(*, preorder_id: int, reason: str) -> None:
    """Undo a reservation whose order was never placed: void or refund, then free the unit."""
    preorder = Preorder.objects.get(pk=preorder_id)
    if preorder.line_id is not None or preorder.status == Preorder.Status.CANCELLED:
        return
    key = f"preorder-{preorder.pk}-abandon"
    if preorder.payment_intent_id and preorder.status == Preorder.Status.AWAITING_RELEASE:
        try:
            stripe_gateway.refund_create(
                payment_intent_id=preorder.payment_intent_id,
                amount=preorder.amount,
                currency=preorder.currency,
                idempotency_key=key,
            )
        except stripe_gateway.GatewayError:
            # Money taken without an order: it must reach a human; keep the row to retry.
            logger.error("Could not refund abandoned pre-order %s", preorder.pk)
            return
    elif preorder.payment_intent_id:
        _payment_intent_void(payment_intent_id=preorder.payment_intent_id, key=key)
    _reservation_give_back(preorder_id=preorder.pk, reason=reason)


def preorder_attach_to_order(*, preorder_id: int, order) -> Preorder:
    """Link the reservation to its order line (inside the placement transaction)."""
    preorder = (
        Preorder.objects.select_for_update(of=("self",))
        .select_related("settings")
        .get(pk=preorder_id)
    )
    line = order.lines.get(product_id=preorder.settings.product_id)
    preorder.line = line
    preorder.user_id = order.user_id
    preorder.save(update_fields=["line", "user", "updated_at"])
    OrderNote.objects.create(
        order=order,
        note_type=OrderNote.SYSTEM,
        message=_("Pre-order (%(policy)s), expected %(date)s.")
        % {"policy": preorder.get_policy_display(), "date": preorder.expected_date},
    )
    return preorder


def preorder_payment_source_build(*, preorder: Preorder):
    """The Oscar payment source for the placed order: debited only if money was taken."""
    source_type, _created = SourceType.objects.get_or_create(name=SOURCE_TYPE_STRIPE)
    debited = preorder.amount if preorder.policy == PaymentPolicy.PAY_NOW else ZERO
    return Source(
        source_type=source_type,
        currency=preorder.currency,
        amount_allocated=preorder.amount,
        amount_debited=debited,
        reference=preorder.payment_intent_id,
    )


# --------------------------------------------------------------------------- release


def _claim_for_release(*, preorder_id: int, statuses) -> bool:
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Preorder.objects.filter(pk=preorder_id, status__in=statuses, line__isnull=False)
            .filter(
                Q(release_claimed_at__isnull=True)
                | Q(release_claimed_at__lt=now - timedelta(minutes=RELEASE_CLAIM_MINUTES))
            )
            .update(release_claimed_at=now)
        )
    return claimed == 1


def _unclaim(*, preorder_id: int) -> None:
    with transaction.atomic():
        Preorder.objects.filter(pk=preorder_id).update(release_claimed_at=None)


def _money_take_at_release(preorder: Preorder) -> str:
    """Capture or charge; returns the PaymentIntent id that holds the money."""
    if preorder.policy == PaymentPolicy.PAY_NOW:
        return preorder.payment_intent_id
    if preorder.policy == PaymentPolicy.AUTHORISE:
        payment_intent = stripe_gateway.payment_intent_retrieve(
            payment_intent_id=preorder.payment_intent_id
        )
        if payment_intent.status == "requires_capture":
            payment_intent = stripe_gateway.payment_intent_capture(
                payment_intent_id=preorder.payment_intent_id,
                idempotency_key=f"preorder-{preorder.pk}-capture",
            )
        if not payment_intent.succeeded:
            raise stripe_gateway.CardDeclined(
                f"authorisation {payment_intent.id} is {payment_intent.status}",
                payment_intent_id=payment_intent.id,
            )
        return payment_intent.id
    if preorder.payment_intent_id:
        # An earlier run charged but died before recording it: never charge a second time.
        payment_intent = stripe_gateway.payment_intent_retrieve(
            payment_intent_id=preorder.payment_intent_id
        )
        if payment_intent.succeeded:
            return payment_intent.id
    payment_intent = stripe_gateway.payment_intent_charge_saved_card(
        amount=preorder.amount,
        currency=preorder.currency,
        customer_id=preorder.customer_id,
        payment_method_id=preorder.payment_method_id,
        idempotency_key=f"preorder-{preorder.pk}-charge-{preorder.charge_attempts}",
        metadata=_metadata(preorder),
    )
    if not payment_intent.succeeded:
        raise stripe_gateway.CardDeclined(
            f"off-session charge {payment_intent.id} is {payment_intent.status}",
            payment_intent_id=payment_intent.id,
        )
    return payment_intent.id


def _record_charged(*, preorder_id: int, payment_intent_id: str) -> Preorder:
    """Record the money on the order and send it down the one paid-order path."""
    with transaction.atomic():
        preorder = (
            Preorder.objects.select_for_update(of=("self",))
            .select_related("settings__product", "line")
            .get(pk=preorder_id)
        )
        if preorder.status in (Preorder.Status.CHARGED, Preorder.Status.SHIPPED):
            return preorder
        order = Order.objects.select_for_update().get(pk=preorder.line.order_id)
        if (
            preorder.policy != PaymentPolicy.PAY_NOW
            or preorder.payment_intent_id != payment_intent_id
        ):
            source = order.sources.select_related("source_type").get(
                source_type__name=SOURCE_TYPE_STRIPE
            )
            if source.reference != payment_intent_id and source.amount_debited > 0:
                raise ValidationError("pre-order source already debited by another payment")
            source.reference = payment_intent_id
            source.save(update_fields=["reference"])
            source.debit(preorder.amount, reference=payment_intent_id, status="succeeded")
            event_type, _created = PaymentEventType.objects.get_or_create(name=PAYMENT_EVENT_PAID)
            PaymentEvent.objects.create(
                order=order,
                event_type=event_type,
                amount=preorder.amount,
                reference=payment_intent_id,
            )
        now = timezone.now()
        preorder.status = Preorder.Status.CHARGED
        preorder.payment_intent_id = payment_intent_id
        preorder.charged_at = now
        preorder.release_claimed_at = None
        preorder.failure_message = ""
        preorder.pay_again_token = ""
        fields = [
            "status",
            "payment_intent_id",
            "charged_at",
            "release_claimed_at",
            "failure_message",
            "pay_again_token",
            "updated_at",
        ]
        preorder.save(update_fields=fields)
        order_mark_paid(order_id=order.pk)
        if preorder.collect_in_store and _line_on_shelf(line_id=preorder.line_id):
            _ready_announce(preorder=preorder)
        else:
            extra = {}
            if preorder.collect_in_store:
                # Waiting for stock: no collection point or time to announce yet.
                extra = {"handover": None, "waiting_for_stock": True}
            _email_customer(
                preorder=preorder,
                kind="charged",
                subject=_("Your pre-order %(number)s has been released")
                % {"number": preorder.order_number},
                **extra,
            )
        return preorder


def _line_on_shelf(*, line_id: int) -> bool:
    """Every unit of the line was taken off the shelf (none left allocated waiting for stock)."""
    return not Line.objects.filter(pk=line_id, num_allocated__gt=0).exists()


def _ready_announce(*, preorder: Preorder) -> None:
    """Start the collection period of a pre-order whose copy is on the shelf, and say so."""
    preorder.pickup_deadline = timezone.localdate() + timedelta(days=preorder.settings.pickup_days)
    preorder.ready_notified_at = timezone.now()
    preorder.save(update_fields=["pickup_deadline", "ready_notified_at", "updated_at"])
    with translation.override(django_settings.LANGUAGE_CODE):
        ready_from = moment_label(pickup_ready_at(settings=delivery_settings_get()))
    _email_customer(
        preorder=preorder,
        kind="ready",
        subject=_("Your pre-order %(number)s is ready to collect")
        % {"number": preorder.order_number},
        ready_from=ready_from,
    )


@transaction.atomic
def preorders_waiting_stock_fill(*, product_id: int) -> list[int]:
    """Stock of a product arrived: released pre-orders still waiting for it take it, first
    charged first served, and a collection pre-order now on the shelf is announced ready.

    Called from the stock ledger (any movement that adds units: a supplier receipt, a count
    correction, a return). Each waiting line is consumed through operations' own sale path,
    which never takes more than the shelf holds. Returns the ids announced ready.
    """
    waiting = (
        Preorder.objects.select_for_update(of=("self",))
        .select_related("settings")
        .filter(
            settings__product_id=product_id,
            status=Preorder.Status.CHARGED,
            line__num_allocated__gt=0,
        )
        .order_by("charged_at", "pk")
    )
    announced = []
    for preorder in waiting:
        operations_services.stock_consume_for_order(order_id=preorder.line.order_id)
        if not _line_on_shelf(line_id=preorder.line_id):
            break  # the shelf is empty again; the rest wait for the next delivery
        if preorder.collect_in_store and preorder.ready_notified_at is None:
            _ready_announce(preorder=preorder)
            announced.append(preorder.pk)
    return announced


def _record_failed(*, preorder_id: int, message: str) -> Preorder:
    with transaction.atomic():
        preorder = (
            Preorder.objects.select_for_update(of=("self",))
            .select_related("settings__product")
            .get(pk=preorder_id)
        )
        if preorder.status in (Preorder.Status.CHARGED, Preorder.Status.SHIPPED):
            return preorder
        first_failure = preorder.status != Preorder.Status.PAYMENT_FAILED
        preorder.status = Preorder.Status.PAYMENT_FAILED
        preorder.failure_message = message[:255]
        preorder.charge_attempts += 1
        preorder.release_claimed_at = None
        if first_failure:
            preorder.failed_at = timezone.now()
            preorder.pay_again_token = secrets.token_urlsafe(32)
        preorder.save()
        if first_failure:
            pay_until = timezone.localdate() + timedelta(days=preorder.settings.payment_grace_days)
            _email_customer(
                preorder=preorder,
                kind="payment_failed",
                subject=_("Payment needed for your pre-order %(number)s")
                % {"number": preorder.order_number},
                pay_url=site_url(
                    reverse("preorders:pay-again", kwargs={"token": preorder.pay_again_token})
                ),
                pay_until=pay_until,
            )
        return preorder


def preorder_release(*, preorder_id: int) -> Preorder:
    """Capture or charge one pre-order at release. Idempotent, safe to run concurrently.

    One run claims the row (a conditional UPDATE); a charged pre-order is never charged
    again; Stripe calls carry idempotency keys made from the pre-order id. A refused card
    moves it to "payment failed" and emails a pay-again link; Stripe being unreachable
    leaves it for the next run.
    """
    if not _claim_for_release(
        preorder_id=preorder_id,
        statuses=[Preorder.Status.RESERVED, Preorder.Status.AWAITING_RELEASE],
    ):
        return Preorder.objects.get(pk=preorder_id)
    preorder = Preorder.objects.get(pk=preorder_id)
    try:
        payment_intent_id = _money_take_at_release(preorder)
    except stripe_gateway.CardDeclined as exc:
        logger.info("Pre-order %s charge refused: %s", preorder.pk, exc)
        return _record_failed(preorder_id=preorder.pk, message=str(exc.user_message))
    except stripe_gateway.GatewayError as exc:
        logger.warning("Pre-order %s not released, Stripe unavailable: %s", preorder.pk, exc)
        _unclaim(preorder_id=preorder.pk)
        return preorder
    return _record_charged(preorder_id=preorder.pk, payment_intent_id=payment_intent_id)


def preorder_payment_intent_succeeded(
    *, payment_intent: stripe_gateway.PaymentIntentResult
) -> Preorder | None:
    """Stripe's word that a pre-order's payment went through; it changes nothing here.

    The money of a pre-order is recorded by the call that took it (checkout for "pay now",
    the release for a capture or a charge), never from the event: a release that died after
    Stripe took the money finds the succeeded PaymentIntent at its next run and records it
    then (``_money_take_at_release``). So the event is only logged against its pre-order; one
    naming no pre-order of ours is worth a warning.
    """
    preorder_id = payment_intent.metadata.get("preorder", "")
    preorder = (
        Preorder.objects.filter(pk=int(preorder_id)).first() if preorder_id.isdigit() else None
    )
    if preorder is None:
        logger.warning(
            "payment_intent.succeeded %s names pre-order %r, which does not exist",
            payment_intent.id,
            preorder_id,
        )
        return None
    logger.info(
        "Stripe confirmed payment %s of pre-order %s (%s)",
        payment_intent.id,
        preorder.pk,
        preorder.status,
    )
    return preorder


def preorder_pay_again(*, preorder_id: int, payment_method_id: str) -> Preorder:
    """The customer pays a pre-order whose release charge failed, with a card they enter now."""
    preorder = Preorder.objects.get(pk=preorder_id)
    if preorder.status != Preorder.Status.PAYMENT_FAILED:
        raise ValidationError(_("This pre-order does not need paying."))
    if not _claim_for_release(preorder_id=preorder.pk, statuses=[Preorder.Status.PAYMENT_FAILED]):
        raise ValidationError(_("This payment is already being processed. Please wait a moment."))
    try:
        payment_intent = stripe_gateway.payment_intent_create(
            amount=preorder.amount,
            currency=preorder.currency,
            payment_method_id=payment_method_id,
            idempotency_key=f"preorder-{preorder.pk}-pay-again-{preorder.charge_attempts}",
            metadata=_metadata(preorder),
        )
        if not payment_intent.succeeded:
            raise stripe_gateway.CardDeclined(
                f"PaymentIntent {payment_intent.id} is {payment_intent.status}",
                user_message=_(
                    "This card needs an extra authentication step. Please use another card."
                ),
            )
    except stripe_gateway.GatewayError as exc:
        _record_failed(preorder_id=preorder.pk, message=str(exc.user_message))
        raise PreorderPaymentRefused(str(exc.user_message)) from exc
    if preorder.policy == PaymentPolicy.AUTHORISE:
        # Whatever is left of the lapsed authorisation must not be captured later.
        _payment_intent_void(
            payment_intent_id=preorder.payment_intent_id, key=f"preorder-{preorder.pk}-void-auth"
        )
    return _record_charged(preorder_id=preorder.pk, payment_intent_id=payment_intent.id)


# --------------------------------------------------------------------------- cancellations


def preorder_cancel(
    *,
    preorder_id: int,
    reason: str,
    cancelled_by=None,
    by_customer: bool = False,
    fee: Decimal = ZERO,
) -> Preorder:
    """Cancel one pre-order: void the authorisation or refund what was paid (less ``fee``).

    A customer may cancel only before release, and at no cost. The unit goes back on sale
    (a cancelled pre-order no longer counts against the cap). Idempotent.
    """
    preorder = Preorder.objects.select_related("settings__product", "line").get(pk=preorder_id)
    if preorder.status == Preorder.Status.CANCELLED:
        return preorder
    if preorder.line_id is None:
        preorder_abandon(preorder_id=preorder.pk, reason=reason)
        return Preorder.objects.get(pk=preorder.pk)
    if by_customer and preorder.status not in Preorder.BEFORE_RELEASE:
        raise ValidationError(
            _("This pre-order has been released; please contact the store to return it.")
        )
    if preorder.status == Preorder.Status.SHIPPED:
        raise ValidationError(_("This pre-order was already handed over; refund it as a return."))
    fee = ZERO if by_customer else min(max(fee, ZERO), preorder.amount)
    was_charged = preorder.status == Preorder.Status.CHARGED
    money_taken = was_charged or (
        preorder.policy == PaymentPolicy.PAY_NOW
        and preorder.status in (Preorder.Status.AWAITING_RELEASE, Preorder.Status.PAYMENT_FAILED)
    )
    refunded = ZERO
    if money_taken:
        to_refund = preorder.amount - fee
        if to_refund > 0:
            order_refund(
                order_id=preorder.line.order_id,
                amount=to_refund,
                # A released unit never handed over is on the shelf: the refund books it back.
                restock_quantities=_shelf_units(preorder=preorder) if was_charged else None,
                reason=reason,
                refunded_by=cancelled_by,
            )
            refunded = to_refund
    elif preorder.policy == PaymentPolicy.AUTHORISE and preorder.payment_intent_id:
        _payment_intent_void(
            payment_intent_id=preorder.payment_intent_id, key=f"preorder-{preorder.pk}-void"
        )
    with transaction.atomic():
        preorder = Preorder.objects.select_for_update().get(pk=preorder.pk)
        if preorder.status == Preorder.Status.CANCELLED:
            return preorder
        preorder.status = Preorder.Status.CANCELLED
        preorder.cancelled_at = timezone.now()
        preorder.cancel_reason = reason[:255]
        preorder.fee_kept = fee if money_taken else ZERO
        preorder.release_claimed_at = None
        preorder.save()
        order = Order.objects.select_for_update().get(pk=preorder.line.order_id)
        if order.status == ORDER_STATUS_PENDING:
            # Oscar's status signal lets operations give back the stock allocation.
            order.set_status(ORDER_STATUS_CANCELLED)
        elif was_charged and not refunded:
            # Kept in full as a fee: no refund to restock through, so the stock ledger does.
            _stock_back_on_shelf(preorder=preorder, user=cancelled_by)
        OrderNote.objects.create(
            order=order,
            user=cancelled_by if getattr(cancelled_by, "is_authenticated", False) else None,
            note_type=OrderNote.SYSTEM,
            message=_("Pre-order cancelled: %(reason)s") % {"reason": reason},
        )
        _email_customer(
            preorder=preorder,
            kind="cancelled",
            subject=_("Your pre-order %(number)s is cancelled") % {"number": preorder.order_number},
            refunded=refunded,
            fee=preorder.fee_kept,
            reason=reason,
        )
    return preorder


def _shelf_units(*, preorder: Preorder) -> dict[int, int]:
    """The released units that left the shelf and are not back yet ({} if the shelf was short
    at release), for the cancellation's refund to put back."""
    left = operations_selectors.order_lines_returnable(line_ids=[preorder.line_id])
    quantity = min(preorder.quantity, left[preorder.line_id])
    return {preorder.line_id: quantity} if quantity > 0 else {}


def _stock_back_on_shelf(*, preorder: Preorder, user) -> None:
    """A released, never handed-over unit is still on the store's shelf: book it back."""
    try:
        operations_services.stock_return(
            order_line_id=preorder.line_id,
            quantity=preorder.quantity,
            note=_("Pre-order %(number)s cancelled after release")
            % {"number": preorder.order_number},
            user=user if getattr(user, "is_authenticated", False) else None,
        )
    except ValidationError:
        # Nothing was taken off the shelf for it (the shelf was short at release).
        logger.info("Pre-order %s: no stock movement to reverse", preorder.pk)


def preorder_product_cancel_all(*, settings_id: int, reason: str, cancelled_by=None) -> int:
    """Stop a product's pre-orders: close it and cancel every live one (void or refund)."""
    with transaction.atomic():
        PreorderSettings.objects.filter(pk=settings_id).update(is_active=False)
        _open_products_changed()
    live = Preorder.objects.filter(
        settings_id=settings_id,
        status__in=[*Preorder.BEFORE_RELEASE, Preorder.Status.CHARGED],
    ).values_list("pk", flat=True)
    cancelled = 0
    for preorder_id in list(live):
        preorder_cancel(preorder_id=preorder_id, reason=reason, cancelled_by=cancelled_by)
        cancelled += 1
    return cancelled


def preorder_release_date_move(*, settings_id: int, release_date: date, moved_by=None) -> int:
    """Move a product's release date; every customer still waiting is emailed and may cancel.

    Today is a valid date: the product is released now (``preorder_product_release_now``
    does both), and each customer hears from the release itself (charged, ready to collect
    or pay again) instead of a "new date" email. Refused when authorised pre-orders would
    have to wait beyond their card authorisation: the operator cancels those first (or keeps
    the date). Returns how many customers were emailed.
    """
    today = timezone.localdate()
    if release_date < today:
        raise ValidationError(_("The new release date cannot be before today."))
    with transaction.atomic():
        settings = (
            PreorderSettings.objects.select_for_update(of=("self",))
            .select_related("product")
            .get(pk=settings_id)
        )
        # Checked on the locked row, not only by hiding the buttons: a page opened before the
        # release could still post a later date and reopen pre-orders of a released product.
        if settings.is_released:
            raise ValidationError(
                _("%(product)s was released on %(date)s: its release date can no longer be moved.")
                % {"product": settings.product, "date": date_format(settings.release_date)}
            )
        if settings.release_date == release_date:
            return 0
        waiting = Preorder.objects.filter(
            settings=settings, line__isnull=False, status__in=Preorder.BEFORE_RELEASE
        ).select_related("settings__product", "user")
        too_late = [
            p
            for p in waiting
            if p.policy == PaymentPolicy.AUTHORISE
            and p.status == Preorder.Status.RESERVED
            and (release_date - timezone.localdate(p.created_at)).days > AUTHORISATION_WINDOW_DAYS
        ]
        if too_late:
            raise ValidationError(
                ngettext(
                    "%(n)s authorised pre-order would outlive its card authorisation (7 days): "
                    "cancel it first or choose an earlier date.",
                    "%(n)s authorised pre-orders would outlive their card authorisation (7 days): "
                    "cancel them first or choose an earlier date.",
                    len(too_late),
                )
                % {"n": len(too_late)}
            )
        old_date = settings.release_date
        settings.release_date = release_date
        settings.save(update_fields=["release_date", "updated_at"])
        _open_products_changed()
        emailed = 0
        for preorder in waiting:
            preorder.expected_date = release_date
            preorder.save(update_fields=["expected_date", "updated_at"])
            OrderNote.objects.create(
                order_id=preorder.line.order_id,
                user=moved_by if getattr(moved_by, "is_authenticated", False) else None,
                note_type=OrderNote.SYSTEM,
                message=_("Release date moved from %(old)s to %(new)s.")
                % {"old": old_date, "new": release_date},
            )
            if release_date == today:
                continue
            _email_customer(
                preorder=preorder,
                kind="date_moved",
                subject=_("New date for your pre-order %(number)s")
                % {"number": preorder.order_number},
                old_date=old_date,
            )
            emailed += 1
    return emailed


# --------------------------------------------------------------------------- collection


def preorder_hand_over(*, preorder_id: int, handed_over_by) -> Preorder:
    """The cashier gives a released store-collection pre-order to its member."""
    with transaction.atomic():
        preorder = Preorder.objects.select_for_update().get(pk=preorder_id)
        if not preorder.collect_in_store or preorder.status != Preorder.Status.CHARGED:
            raise ValidationError(_("This pre-order is not waiting to be collected."))
        preorder.status = Preorder.Status.SHIPPED
        preorder.handed_over_at = timezone.now()
        preorder.handed_over_by = handed_over_by
        preorder.save(update_fields=["status", "handed_over_at", "handed_over_by", "updated_at"])
        order = Order.objects.select_for_update().get(pk=preorder.line.order_id)
        if ORDER_STATUS_SHIPPED in order.available_statuses():
            order.set_status(ORDER_STATUS_SHIPPED)
    return preorder


def preorder_collection_reminders_send(*, today: date | None = None) -> int:
    """Remind members the day before their pick-up deadline (once each)."""
    today = today or timezone.localdate()
    due = Preorder.objects.filter(
        status=Preorder.Status.CHARGED,
        collect_in_store=True,
        reminder_sent_at__isnull=True,
        pickup_deadline__lte=today + timedelta(days=1),
        pickup_deadline__gte=today,
    ).values_list("pk", flat=True)
    sent = 0
    for preorder_id in list(due):
        with transaction.atomic():
            # The conditional update is the "once": a second run finds the row already marked.
            if not Preorder.objects.filter(pk=preorder_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            ):
                continue
            preorder = Preorder.objects.select_related("settings__product", "user").get(
                pk=preorder_id
            )
            _email_customer(
                preorder=preorder,
                kind="collection_reminder",
                subject=_("Please collect your pre-order %(number)s by %(date)s")
                % {"number": preorder.order_number, "date": preorder.pickup_deadline},
            )
            sent += 1
    return sent


def preorder_no_show(*, preorder_id: int) -> Preorder:
    """Cancel an uncollected pre-order, refund it less the product's no-show fee, record it."""
    preorder = Preorder.objects.select_related("settings").get(pk=preorder_id)
    if preorder.status != Preorder.Status.CHARGED or not preorder.collect_in_store:
        return preorder
    preorder = preorder_cancel(
        preorder_id=preorder.pk,
        reason=_("Not collected by %(date)s") % {"date": preorder.pickup_deadline},
        fee=preorder.settings.no_show_fee,
    )
    if preorder.user_id:
        NoShow.objects.get_or_create(
            preorder=preorder, defaults={"user_id": preorder.user_id, "fee": preorder.fee_kept}
        )
    return preorder


# --------------------------------------------------------------------------- the daily run


@dataclass
class PreorderDailySummary:
    released: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    # Due but still waiting: Stripe did not answer, or another run holds the pre-order.
    waiting: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    abandoned: list[int] = field(default_factory=list)
    reminded: int = 0
    no_shows: list[int] = field(default_factory=list)


def _preorders_due_release(
    *, today: date, summary: PreorderDailySummary, settings_id: int | None = None
) -> None:
    due = Preorder.objects.filter(
        settings__release_date__lte=today,
        line__isnull=False,
        status__in=[Preorder.Status.RESERVED, Preorder.Status.AWAITING_RELEASE],
    )
    if settings_id is not None:
        due = due.filter(settings_id=settings_id)
    for preorder_id in list(due.order_by("pk").values_list("pk", flat=True)):
        preorder = preorder_release(preorder_id=preorder_id)
        if preorder.status == Preorder.Status.CHARGED:
            summary.released.append(preorder_id)
        elif preorder.status == Preorder.Status.PAYMENT_FAILED:
            summary.failed.append(preorder_id)
        else:
            summary.waiting.append(preorder_id)


def preorder_product_release_now(*, settings_id: int, released_by=None) -> PreorderDailySummary:
    """An operator releases a pre-order product today instead of waiting for its date.

    The release date becomes today (order notes say so; the product stops taking
    pre-orders), then each waiting pre-order of the product goes through
    ``preorder_release``, the daily run's own release: captured or charged, the order paid,
    the customer emailed. Idempotent: a second call finds nothing left to release.
    """
    settings = PreorderSettings.objects.get(pk=settings_id)
    today = timezone.localdate()
    if settings.release_date > today:
        preorder_release_date_move(
            settings_id=settings.pk, release_date=today, moved_by=released_by
        )
    summary = PreorderDailySummary()
    _preorders_due_release(today=today, summary=summary, settings_id=settings.pk)
    return summary


def preorders_release_due(*, today: date | None = None) -> PreorderDailySummary:
    """Everything the daily beat job does, in order; each step is idempotent on its own."""
    today = today or timezone.localdate()
    now = timezone.now()
    summary = PreorderDailySummary()
    _preorders_due_release(today=today, summary=summary)
    for preorder in Preorder.objects.filter(status=Preorder.Status.PAYMENT_FAILED).select_related(
        "settings"
    ):
        if (
            preorder.failed_at
            and preorder.failed_at.date() + timedelta(days=preorder.settings.payment_grace_days)
            < today
        ):
            preorder_cancel(
                preorder_id=preorder.pk,
                reason=_("The payment was not completed in time; the unit went back on sale."),
            )
            summary.expired.append(preorder.pk)
    stale = Preorder.objects.filter(
        line__isnull=True,
        status__in=[Preorder.Status.RESERVED, Preorder.Status.AWAITING_RELEASE],
        created_at__lt=now - timedelta(minutes=UNPLACED_RESERVATION_MINUTES),
    ).values_list("pk", flat=True)
    for preorder_id in list(stale):
        preorder_abandon(preorder_id=preorder_id, reason="checkout never completed")
        summary.abandoned.append(preorder_id)
    summary.reminded = preorder_collection_reminders_send(today=today)
    uncollected = Preorder.objects.filter(
        status=Preorder.Status.CHARGED, collect_in_store=True, pickup_deadline__lt=today
    ).values_list("pk", flat=True)
    for preorder_id in list(uncollected):
        preorder_no_show(preorder_id=preorder_id)
        summary.no_shows.append(preorder_id)
    return summary


def preorder_mark_shipped_for_order(*, order_id: int) -> int:
    """The operator shipped a released delivery pre-order: its line status follows."""
    with transaction.atomic():
        return Preorder.objects.filter(
            line__order_id=order_id, status=Preorder.Status.CHARGED
        ).update(status=Preorder.Status.SHIPPED, updated_at=timezone.now())
