"""Checkout under load: concurrent buyers placing real orders through the website.

    .venv/bin/python bench/checkout.py [--buyers 6] [--orders 4] [--workers 3]

Starts our production stack with ``bench.stack.running_stack`` (gunicorn, PostgreSQL with the
demo, Redis, a Celery worker, localstripe), or attaches to one already running with
``--base-url`` (then DATABASE_URL / REDIS_URL etc. must be exported as the stack has them).

Set-up (printed, and done through our services so the ledgers stay true): ``--buyers`` demo
members who have a member card get a known password (demo members have none: they would
sign in with the campus portal), the "points" buyers get points added with
``points_adjust`` up to what their orders need, the "wallet" buyers get their campus-card
wallet credited with ``wallet_adjust`` up to what their orders cost.

Then each buyer is its own process with its own ``requests.Session`` and does what a browser
does, ``--orders`` times: product page, add to basket, checkout, shipping address, payment
page, (points: choose points on the payment page), (card: create the card at localstripe
with the publishable key, as localstripe's Stripe.js does), preview, place order, thank-you
page. Buyers take turns by payment kind: card, points (points + card for the rest), wallet
(the campus card pays it all).

Prints: payment kind | orders | orders/s | p50 | p99 | errors, where the latency is one whole
order (product page to thank-you page) and "place" the place-order POST alone. Then checks the
database (and localstripe): every order of the run paid exactly once, points and wallet ledger
sums equal the balances, no negative stock, as many orders as successful buyer runs. Exits
non-zero on any error or inconsistency.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

PAYMENT_KINDS = ("card", "points", "wallet")
BENCH_PASSWORD = "bench-checkout-buyer-2026"  # noqa: S105 (a demo member's bench password)
CARD_OK = "4242424242424242"
REQUEST_TIMEOUT_SECONDS = 60
SHIPPING_ADDRESS = {
    "first_name": "Bench",
    "last_name": "Buyer",
    "line1": "Dormitory 3, Room 201",
    "line4": "Campus",
    "postcode": "100000",
    "country": "CN",
}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


# --------------------------------------------------------------------------- the buyer (no Django)


class BuyerError(RuntimeError):
    pass


@dataclass
class BuyerTask:
    buyer: int
    kind: str
    email: str
    base_url: str
    product_urls: list[str]
    orders: int
    points_per_order: int


@dataclass
class OrderResult:
    kind: str
    buyer: int
    ok: bool
    seconds: float
    place_seconds: float = 0.0
    order_number: str = ""
    error: str = ""


HIDDEN_INPUT = re.compile(r"<input[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'(\w[\w-]*)\s*=\s*"([^"]*)"')


def _form(page: str, form_id: str) -> tuple[str, dict[str, str]]:
    """(action, hidden and text input values) of the form with id ``form_id``."""
    match = re.search(
        rf'<form[^>]*id="{re.escape(form_id)}"[^>]*>(.*?)</form>', page, re.DOTALL | re.IGNORECASE
    )
    if match is None:
        raise BuyerError(f"no form #{form_id} on the page")
    form_tag = match.group(0)[: match.group(0).index(">") + 1]
    action = html.unescape(dict(ATTRIBUTE.findall(form_tag)).get("action", ""))
    values = {}
    for tag in HIDDEN_INPUT.findall(match.group(1)):
        attributes = {key.lower(): html.unescape(value) for key, value in ATTRIBUTE.findall(tag)}
        if "name" in attributes and attributes.get("type", "text") in ("hidden", "text"):
            values[attributes["name"]] = attributes.get("value", "")
    return action, values


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise BuyerError("no CSRF token on the page")
    return match.group(1)


def _page_error(page: str) -> str:
    alerts = re.findall(r'class="[^"]*alert-(?:danger|error)[^"]*"[^>]*>(.*?)</div>', page, re.S)
    text = " ".join(re.sub(r"<[^>]+>|\s+", " ", alert).strip() for alert in alerts)
    return text[:300] or "unexpected page"


class Buyer:
    """One shopper's browser: a session, its cookies, and the pages it goes through."""

    def __init__(self, task: BuyerTask):
        self.task = task
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"bench-checkout-buyer/{task.buyer}"

    def url(self, path: str) -> str:
        return urljoin(self.task.base_url, path)

    def _cookies_as_a_browser_keeps_them(self) -> None:
        """Send ``Secure`` cookies back to loopback over plain HTTP, as browsers do.

        The production settings mark the session and CSRF cookies Secure; the stack serves
        plain HTTP on 127.0.0.1, which browsers treat as a secure context. Python's cookie
        jar does not, and would silently drop the session (requests copies the jar for each
        request, so a cookie policy on it is lost: the flag is cleared on the cookies).
        """
        for cookie in self.session.cookies:
            if cookie.domain.lstrip(".") in LOOPBACK_HOSTS or cookie.domain.endswith(".local"):
                cookie.secure = False

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        # Redirects are followed here, one hop at a time, so every hop sees the cookies the
        # previous one set (see _cookies_as_a_browser_keeps_them).
        url = self.url(path)
        for _hop in range(10):
            response = self.session.request(
                method, url, allow_redirects=False, timeout=REQUEST_TIMEOUT_SECONDS, **kwargs
            )
            self._cookies_as_a_browser_keeps_them()
            if not response.is_redirect:
                return response
            url = urljoin(response.url, response.headers["Location"])
            method, kwargs = "GET", {}
        raise BuyerError(f"{path}: too many redirects")

    def get(self, path: str) -> requests.Response:
        response = self._send("GET", path)
        if response.status_code != 200:
            raise BuyerError(f"GET {path}: HTTP {response.status_code}")
        return response

    def post(self, path: str, data: dict, *, referer: str) -> requests.Response:
        # Browsers send Origin and Referer with a form post; Django's CSRF check reads them.
        response = self._send(
            "POST",
            path,
            data=data,
            headers={"Referer": referer, "Origin": self.task.base_url},
        )
        if response.status_code != 200:
            raise BuyerError(f"POST {path}: HTTP {response.status_code}")
        return response

    def log_in(self) -> None:
        page = self.get("/accounts/login/")
        response = self.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": _csrf(page.text),
                "login-username": self.task.email,
                "login-password": BENCH_PASSWORD,
                "login-redirect_url": "",
                "login_submit": "Log In",
            },
            referer=page.url,
        )
        if "/accounts/login/" in response.url:
            raise BuyerError(f"login of {self.task.email} refused: {_page_error(response.text)}")

    def card_payment_method(self, payment_page: str) -> str:
        """What localstripe's Stripe.js does in the browser: a card token at /v1/tokens."""
        script = re.search(r'<script src="([^"]+)/js\.stripe\.com/v3/"', payment_page)
        key = re.search(r'Stripe\("([^"]+)"\)', payment_page)
        if script is None or key is None:
            raise BuyerError("no Stripe.js on the payment page")
        response = requests.post(
            f"{html.unescape(script.group(1))}/v1/tokens",
            data={
                "card[number]": CARD_OK,
                "card[exp_month]": "12",
                "card[exp_year]": "34",
                "card[cvc]": "123",
                "card[postal_code]": "10000",
                "key": key.group(1),
                "payment_user_agent": "localstripe",
            },
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        if response.status_code != 200:
            raise BuyerError(f"localstripe /v1/tokens: HTTP {response.status_code}")
        return response.json()["card"]["id"]

    def place_one_order(self, product_url: str) -> tuple[str, float]:
        kind = self.task.kind
        product = self.get(product_url)
        action, fields = _form(product.text, "add_to_basket_form")
        fields["quantity"] = "1"
        self.post(action, fields, referer=product.url)

        shipping = self.get("/checkout/")
        if "/checkout/shipping-address/" in shipping.url:
            action, fields = _form(shipping.text, "new_shipping_address")
            fields.update(SHIPPING_ADDRESS)
            shipping = self.post(action or shipping.url, fields, referer=shipping.url)
        payment = shipping
        if "/checkout/payment-details/" not in payment.url:
            raise BuyerError(f"checkout stopped at {urlsplit(payment.url).path}")

        if kind == "points":
            action, fields = _form(payment.text, "checkout_points_form")
            fields["points"] = str(self.task.points_per_order)
            payment = self.post(action, fields, referer=payment.url)
            if f"{self.task.points_per_order} points will be used" not in payment.text:
                raise BuyerError(f"points refused: {_page_error(payment.text)}")

        action, fields = _form(payment.text, "payment_details_form")
        if kind == "wallet":
            fields["use_wallet"] = "on"
        else:
            fields["payment_method_id"] = self.card_payment_method(payment.text)
        preview = self.post(action, fields, referer=payment.url)
        if "/checkout/preview/" not in preview.url or 'id="place_order_form"' not in preview.text:
            raise BuyerError(f"no preview: {_page_error(preview.text)}")

        action, fields = _form(preview.text, "place_order_form")
        started = time.perf_counter()
        thanks = self.post(action, fields, referer=preview.url)
        place_seconds = time.perf_counter() - started
        if "/checkout/thank-you/" not in thanks.url:
            raise BuyerError(f"order not placed: {_page_error(thanks.text)}")
        number = re.search(r"<strong>(\d+)</strong>", thanks.text) or re.search(
            r"[Oo]rder (?:number )?#?(\d{6,})", thanks.text
        )
        return (number.group(1) if number else ""), place_seconds


def run_buyer(task: BuyerTask) -> list[OrderResult]:
    buyer = Buyer(task)
    results = []
    try:
        buyer.log_in()
    except (BuyerError, requests.RequestException) as error:
        return [OrderResult(task.kind, task.buyer, False, 0.0, error=f"login: {error}")]
    for index in range(task.orders):
        product_url = task.product_urls[(task.buyer + index) % len(task.product_urls)]
        started = time.perf_counter()
        try:
            number, place_seconds = buyer.place_one_order(product_url)
        except (BuyerError, requests.RequestException, KeyError, ValueError) as error:
            results.append(
                OrderResult(
                    task.kind, task.buyer, False, time.perf_counter() - started, error=str(error)
                )
            )
            continue
        results.append(
            OrderResult(
                task.kind,
                task.buyer,
                True,
                time.perf_counter() - started,
                place_seconds=place_seconds,
                order_number=number,
            )
        )
    return results


# --------------------------------------------------------------------------- set-up (Django)


@dataclass
class Setup:
    tasks: list[BuyerTask]
    user_ids: dict[str, int]  # email -> user id
    product_ids: list[int]
    log: list[str] = field(default_factory=list)


def _django(env: dict | None) -> None:
    if env:
        os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django

    django.setup()


def buyers_prepare(*, base_url: str, buyers: int, orders: int, points_per_order: int) -> Setup:
    """Pick demo members with a card and cheap stocked products; fund what each buyer needs."""
    from django.contrib.auth import get_user_model
    from django.db.models import F
    from oscar.core.loading import get_model

    from loyalty.economy import points_redeemable_maximum
    from loyalty.models import EarningRules, MemberCard
    from loyalty.services.ledger import points_adjust
    from shop.demo.constants import DEMO_STAFF_ACCOUNTS
    from shop.demo.services import demo_shipping_country_ensure
    from wallet import services as wallet_services

    User = get_user_model()
    StockRecord = get_model("partner", "StockRecord")

    # Cheap products with plenty of stock, so no buyer is refused for lack of stock and
    # every buyer competes for the same few stock rows (the hot spot a sale creates).
    records = list(
        StockRecord.objects.filter(
            product__is_public=True,
            price__gte=Decimal("3.00"),
            num_in_stock__gte=F("num_allocated") + buyers * orders + 10,
        )
        .select_related("product")
        .order_by("price", "pk")[:4]
    )
    if not records:
        raise SystemExit("no product has enough stock for this run")
    rules = EarningRules.load()
    cheapest = min(record.price for record in records)
    maximum_points = points_redeemable_maximum(
        order_total=cheapest,
        maximum_share_percent=rules.maximum_order_share_percent,
        points_per_cny=rules.points_per_cny_redeemed,
    )
    if points_per_order > maximum_points:
        raise SystemExit(
            f"--points-per-order {points_per_order} is above what a {cheapest} order allows "
            f"({maximum_points})"
        )
    most_expensive = max(record.price for record in records)
    staff = User.objects.get(username=DEMO_STAFF_ACCOUNTS[0].username)
    cards = list(
        MemberCard.objects.usable()
        .filter(user__isnull=False)
        .select_related("user", "account")
        .order_by("pk")[:buyers]
    )
    if len(cards) < buyers:
        raise SystemExit(f"only {len(cards)} demo members have a usable card")
    setup = Setup(tasks=[], user_ids={}, product_ids=[record.product_id for record in records])
    # A demo loaded before load_demo made the shipping country has none: no order possible.
    country = demo_shipping_country_ensure()
    setup.log.append(f"shipping country {country.pk} ensured (demo_shipping_country_ensure)")
    setup.log.append(
        "products: "
        + ", ".join(f"#{r.product_id} {r.product.title[:24]} {r.price}" for r in records)
    )
    product_urls = [record.product.get_absolute_url() for record in records]
    for index, card in enumerate(cards):
        kind = PAYMENT_KINDS[index % len(PAYMENT_KINDS)]
        user = card.user
        if not user.check_password(BENCH_PASSWORD):
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
        note = f"{user.email}: password set"
        if kind == "points":
            needed = rules.minimum_balance_to_redeem + points_per_order * orders
            missing = needed - card.account.balance
            if missing > 0:
                points_adjust(
                    account_id=card.account_id,
                    points=missing,
                    reason="bench/checkout.py: points for the checkout benchmark",
                    created_by=staff,
                )
                note += f", +{missing} points (points_adjust)"
        if kind == "wallet":
            wallet = wallet_services.wallet_get_or_create_for_user(user=user)
            # Shipping is free on campus today; the margin covers a shipping charge if not.
            needed = (most_expensive + Decimal("20.00")) * orders
            missing = needed - wallet.balance
            if missing > 0:
                wallet_services.wallet_adjust(
                    wallet_id=wallet.pk,
                    amount=missing,
                    created_by=staff,
                    note="bench/checkout.py: campus-card credit for the checkout benchmark",
                )
                note += f", +{missing} CNY wallet (wallet_adjust)"
        setup.log.append(f"buyer {index} ({kind}): {note}")
        setup.user_ids[user.email] = user.pk
        setup.tasks.append(
            BuyerTask(
                buyer=index,
                kind=kind,
                email=user.email,
                base_url=base_url,
                product_urls=product_urls,
                orders=orders,
                points_per_order=points_per_order,
            )
        )
    return setup


# --------------------------------------------------------------------------- consistency (Django)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def consistency_check(
    *,
    user_ids: list[int],
    since,
    successful_orders: int,
    results: list[OrderResult],
    localstripe_url: str | None,
) -> list[Check]:
    from django.conf import settings
    from django.db.models import Count, F, Q, Sum
    from oscar.core.loading import get_model

    from loyalty.models import PointsAccount, PointsTransaction
    from shop.apps.order.constants import SOURCE_TYPE_STRIPE, SOURCE_TYPE_WALLET
    from wallet.models import Wallet, WalletTransaction

    Order = get_model("order", "Order")
    Source = get_model("payment", "Source")
    StockRecord = get_model("partner", "StockRecord")
    CheckoutAttempt = get_model("payment", "CheckoutAttempt")

    checks: list[Check] = []
    orders = list(
        Order.objects.filter(user_id__in=user_ids, date_placed__gte=since)
        .annotate(
            paid=Sum("sources__amount_debited"),
            sources_count=Count("sources", distinct=True),
        )
        .order_by("pk")
    )
    checks.append(
        Check(
            "orders == successful buyer runs",
            len(orders) == successful_orders,
            f"{len(orders)} orders in the database, {successful_orders} thank-you pages",
        )
    )
    reported = {r.order_number for r in results if r.ok and r.order_number}
    in_database = {order.number for order in orders}
    checks.append(
        Check(
            "thank-you order numbers are the run's orders",
            reported <= in_database and len(reported) == successful_orders,
            f"{len(reported)} numbers read from thank-you pages, "
            f"{len(reported - in_database)} not in the database",
        )
    )
    order_ids = [order.pk for order in orders]
    redeemed = dict(
        PointsTransaction.objects.filter(order_id__in=order_ids, kind=PointsTransaction.Kind.REDEEM)
        .values_list("order_id")
        .annotate(points=Sum("points"))
    )
    redeem_rows = dict(
        PointsTransaction.objects.filter(order_id__in=order_ids, kind=PointsTransaction.Kind.REDEEM)
        .values_list("order_id")
        .annotate(rows=Count("pk"))
    )
    wallet_paid = dict(
        WalletTransaction.objects.filter(order_id__in=order_ids)
        .values_list("order_id")
        .annotate(amount=Sum("amount"))
    )
    wallet_sources = dict(
        Source.objects.filter(order_id__in=order_ids, source_type__name=SOURCE_TYPE_WALLET)
        .values_list("order_id")
        .annotate(amount=Sum("amount_debited"))
    )
    card_sources = list(
        Source.objects.filter(
            order_id__in=order_ids, source_type__name=SOURCE_TYPE_STRIPE
        ).values_list("order_id", "reference", "amount_debited")
    )
    attempts = dict(
        CheckoutAttempt.objects.filter(order_id__in=order_ids)
        .values_list("order_id")
        .annotate(n=Count("pk"))
    )
    paid_badly = [
        order.number
        for order in orders
        if order.paid != order.total_incl_tax
        or attempts.get(order.pk) != 1
        or wallet_paid.get(order.pk, Decimal("0")) != -wallet_sources.get(order.pk, Decimal("0"))
        or redeem_rows.get(order.pk, 0) > 1
    ]
    checks.append(
        Check(
            "each order paid exactly once",
            not paid_badly,
            f"{len(orders)} orders: sources sum to the total, one checkout attempt each, "
            f"wallet debits match wallet sources, at most one points redemption"
            + (f"; WRONG: {paid_badly[:10]}" if paid_badly else ""),
        )
    )
    references = [reference for _order, reference, _amount in card_sources]
    duplicates = {reference for reference in references if references.count(reference) > 1}
    stripe_problems = list(duplicates)
    if localstripe_url:
        for _order_id, reference, amount in card_sources:
            intent = requests.get(
                f"{localstripe_url}/v1/payment_intents/{reference}",
                headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
                timeout=REQUEST_TIMEOUT_SECONDS,
            ).json()
            if intent.get("status") != "succeeded" or Decimal(intent["amount"]) != amount * 100:
                stripe_problems.append(reference)
    checks.append(
        Check(
            "each card payment is its own succeeded PaymentIntent",
            not stripe_problems,
            f"{len(card_sources)} card sources checked against localstripe"
            + (f"; WRONG: {stripe_problems[:10]}" if stripe_problems else ""),
        )
    )
    points_orders = sum(1 for r in results if r.ok and r.kind == "points")
    checks.append(
        Check(
            "points orders redeemed points",
            len(redeemed) == points_orders,
            f"{len(redeemed)} orders with a redemption, {points_orders} points orders placed",
        )
    )
    wallet_orders = sum(1 for r in results if r.ok and r.kind == "wallet")
    checks.append(
        Check(
            "wallet orders paid from the wallet",
            len(wallet_paid) == wallet_orders,
            f"{len(wallet_paid)} orders with a wallet payment, {wallet_orders} wallet orders placed",
        )
    )
    # Whole-store invariants, every account and wallet (not only the run's).
    points_wrong = list(
        PointsAccount.objects.annotate(ledger_sum=Sum("ledger__points"))
        .exclude(ledger_sum=F("balance") + F("pending_balance"))
        .exclude(ledger_sum__isnull=True, balance=0, pending_balance=0)
        .values_list("pk", flat=True)[:10]
    )
    checks.append(
        Check(
            "points ledger sums == balances",
            not points_wrong,
            f"{PointsAccount.objects.count()} accounts"
            + (f"; WRONG: {points_wrong}" if points_wrong else ""),
        )
    )
    wallets_wrong = list(
        Wallet.objects.annotate(ledger_sum=Sum("transactions__amount"))
        .exclude(ledger_sum=F("balance"))
        .exclude(ledger_sum__isnull=True, balance=0)
        .values_list("pk", flat=True)[:10]
    )
    checks.append(
        Check(
            "wallet ledger sums == balances",
            not wallets_wrong,
            f"{Wallet.objects.count()} wallets"
            + (f"; WRONG: {wallets_wrong}" if wallets_wrong else ""),
        )
    )
    negative = StockRecord.objects.filter(
        Q(num_in_stock__lt=0) | Q(num_allocated__lt=0) | Q(num_allocated__gt=F("num_in_stock"))
    ).count()
    checks.append(
        Check(
            "no negative stock",
            negative == 0,
            f"{StockRecord.objects.count()} stock records, {negative} with negative or "
            f"over-allocated stock",
        )
    )
    return checks


# --------------------------------------------------------------------------- report


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def results_table(results: list[OrderResult], seconds: float) -> str:
    rows = [
        "| payment kind | orders | orders/s | p50 (s) | p99 (s) | place p50 (s) | place p99 (s) | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in (*PAYMENT_KINDS, "all"):
        mine = [r for r in results if kind in ("all", r.kind)]
        ok = [r for r in mine if r.ok]
        latencies = [r.seconds for r in ok]
        places = [r.place_seconds for r in ok]
        rows.append(
            f"| {kind} | {len(ok)} | {len(ok) / seconds:.2f} | "
            f"{percentile(latencies, 0.5):.2f} | {percentile(latencies, 0.99):.2f} | "
            f"{percentile(places, 0.5):.2f} | {percentile(places, 0.99):.2f} | "
            f"{len(mine) - len(ok)} |"
        )
    return "\n".join(rows)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=6, help="concurrent buyer processes")
    parser.add_argument("--orders", type=int, default=4, help="orders per buyer")
    parser.add_argument("--points-per-order", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--base-url", help="attach to a running stack (its settings exported) instead"
    )
    parser.add_argument("--localstripe-url", help="with --base-url: localstripe to check")
    return parser.parse_args()


def run(*, args: argparse.Namespace, base_url: str, localstripe_url: str | None) -> int:
    from django.utils import timezone

    setup = buyers_prepare(
        base_url=base_url,
        buyers=args.buyers,
        orders=args.orders,
        points_per_order=args.points_per_order,
    )
    print("set-up (through the loyalty and wallet services):", *setup.log, sep="\n  ", flush=True)
    since = timezone.now()
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=args.buyers) as pool:
        started = time.perf_counter()
        batches = pool.map(run_buyer, setup.tasks, chunksize=1)
        seconds = time.perf_counter() - started
    results = [result for batch in batches for result in batch]
    print(
        f"\n{args.buyers} buyers x {args.orders} orders against {base_url} "
        f"in {seconds:.1f}s (load average {', '.join(f'{x:.1f}' for x in os.getloadavg())})\n"
    )
    print(results_table(results, seconds))
    errors = [result for result in results if not result.ok]
    for error in errors[:20]:
        print(f"  error, buyer {error.buyer} ({error.kind}): {error.error}")
    from django.db import connection

    connection.close()  # a fresh connection: see every buyer's committed rows
    checks = consistency_check(
        user_ids=list(setup.user_ids.values()),
        since=since,
        successful_orders=sum(1 for result in results if result.ok),
        results=results,
        localstripe_url=localstripe_url,
    )
    print("\n| consistency check | result | detail |\n|---|---|---|")
    for check in checks:
        print(f"| {check.name} | {'ok' if check.ok else 'FAILED'} | {check.detail} |")
    print(f"\nlatency mean {statistics.fmean([r.seconds for r in results if r.ok] or [0]):.2f}s")
    return 1 if errors or not all(check.ok for check in checks) else 0


def main() -> int:
    args = parse_args()
    if args.base_url:
        _django(None)
        return run(args=args, base_url=args.base_url, localstripe_url=args.localstripe_url)
    from bench.stack import running_stack

    with running_stack(workers=args.workers) as stack:
        _django(stack.env)
        return run(args=args, base_url=stack.base_url, localstripe_url=stack.localstripe_url)


if __name__ == "__main__":
    sys.exit(main())
