"""Redis (cache and Celery broker) stopped while shoppers browse and buy.

The test runs its own Redis (deploy/servers.py, with the append-only file `make prod` uses) and a
Celery worker on it, so stopping Redis never disturbs the session's shared server and worker.
What must hold:

* pages render from the database: the cache fails open (django-redis ``IGNORE_EXCEPTIONS``,
  production settings), sessions fall back to their database copy (``cached_db``);
* an order placed meanwhile commits and the shopper reaches the thank-you page: the tasks its
  commit queues cannot reach the broker, so ``OutboxTask`` keeps them in the database;
* once Redis is back, Celery beat's ``outbox.pending_tasks_publish`` publishes them and the
  worker runs them (the confirmation email is recorded, the recommendations refreshed).
"""

from __future__ import annotations

import copy
import shutil
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_class, get_model
from oscar.test.factories import UserFactory

from deploy.servers import RedisServer, free_loopback_port
from loyalty.models import PointsTransaction
from shop.apps.order.tasks import order_confirmation_email_send
from shop.celery import app
from shop.outbox.models import PendingTask
from tests.factories.loyalty import earning_rules, member_card
from tests.factories.payments import CheckoutDriver, funded_wallet, shop_product
from tests.integration.conftest import celery_worker_start, celery_worker_stop
from tests.integration.faults.conftest import use_broker
from tests.waiting import wait_until

pytestmark = pytest.mark.integration

# How a shopper logs in (named: the first backend in settings may be one that never logs in).
EMAIL_LOGIN_BACKEND = "oscar.apps.customer.auth_backends.EmailBackend"

Order = get_model("order", "Order")
ProductCategory = get_model("catalogue", "ProductCategory")
CommunicationEvent = get_model("order", "CommunicationEvent")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

PRODUCT_TITLE = "Jasmine Rice 5kg"


@pytest.fixture
def own_redis(tmp_path, settings, transactional_db):
    """A Redis of this test's own as cache and broker, with a worker on it."""
    server = RedisServer(
        binary=shutil.which("redis-server"),
        port=free_loopback_port(),
        data_dir=tmp_path / "redis",
    )
    server.start()
    url = server.url()
    # Production's cache settings (django-redis, IGNORE_EXCEPTIONS), on this server.
    caches = copy.deepcopy(django_settings.CACHES)
    assert caches["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    caches["default"]["LOCATION"] = url
    settings.CACHES = caches
    previous_broker = django_settings.CELERY_BROKER_URL
    use_broker(settings, url)
    worker = None
    try:
        worker = celery_worker_start(name="faults-redis-worker", extra_env={"REDIS_URL": url})
        yield server, worker
    finally:
        if worker is not None:
            celery_worker_stop(worker)
        use_broker(settings, previous_broker)
        server.stop()


@pytest.fixture
def catalogue(transactional_db):
    product = shop_product(price="30.00", title=PRODUCT_TITLE)
    category = create_from_breadcrumbs("Staples")
    ProductCategory.objects.create(product=product, category=category)
    return product, category


@pytest.fixture
def member(transactional_db):
    earning_rules(points_per_cny=Decimal("1"), minimum_order_value=Decimal("0"))
    user = UserFactory(email="member@campus.example")
    member_card(user=user)
    funded_wallet(user=user, amount="100.00")
    return user


def _storefront_urls(product, category) -> list[str]:
    return [
        reverse("catalogue:index"),
        category.get_absolute_url(),
        product.get_absolute_url(),
        reverse("search:search") + "?q=Jasmine",
        reverse("basket:summary"),
    ]


def test_pages_render_and_orders_commit_while_redis_is_down_and_tasks_run_when_it_is_back(
    own_redis, catalogue, member, client
):
    server, worker = own_redis
    product, category = catalogue
    client.force_login(member, backend=EMAIL_LOGIN_BACKEND)
    for url in _storefront_urls(product, category):
        assert client.get(url).status_code == 200, url  # the cache is warm now

    server.stop()

    for url in _storefront_urls(product, category):
        response = client.get(url)
        assert response.status_code == 200, url
        if url != reverse("basket:summary"):
            assert PRODUCT_TITLE in response.content.decode(), url

    checkout = CheckoutDriver(client)
    checkout.add_to_basket(product)
    checkout.enter_shipping_address()
    preview = checkout.preview(use_wallet=True)
    assert preview.status_code == 200, [str(m) for m in preview.wsgi_request._messages]
    placed = checkout.place_order(preview)

    # The order committed and the shopper is told so, not shown an error.
    assert placed.status_code == 302 and placed.url == reverse("checkout:thank-you")
    assert client.get(placed.url).status_code == 200
    order = Order.objects.get(user=member)
    assert order.status == "Paid"
    assert PointsTransaction.objects.filter(order=order, kind="earn").count() == 1
    # Its follow-up tasks are kept, not lost, and nothing ran them yet.
    kept = set(PendingTask.objects.values_list("name", flat=True))
    assert {order_confirmation_email_send.name, "recommendations.update_for_order"} <= kept
    confirmations = CommunicationEvent.objects.filter(
        order=order, event_type__code=OrderDispatcher.ORDER_PLACED_EVENT_CODE
    )
    assert not confirmations.exists()

    server.start()
    # What Celery beat sends every minute (shop/settings.py), sent now instead of waiting.
    app.send_task(django_settings.CELERY_BEAT_SCHEDULE["outbox-publish-pending"]["task"])

    wait_until(
        confirmations.exists,
        what="the kept confirmation email did not run once Redis was back",
        details=worker.log_tail,
    )
    wait_until(
        lambda: (
            "recommendations.update_for_order" in worker.log_path.read_text()
            and not PendingTask.objects.exists()
        ),
        what="the outbox was not emptied",
        details=worker.log_tail,
    )
    assert confirmations.count() == 1
