"""Settings for the campus store.

One module, two profiles chosen by environment variables (django-environ):

* embedded (the default, ``make run``): SQLite, local-memory cache, Celery running
  tasks eagerly in-process, console email and a ``localstripe`` server on loopback;
* production: set ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (cache + Celery broker),
  ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DEBUG=False``, ``EMAIL_URL`` and real ``STRIPE_*`` keys.

Nothing else changes between the two.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F401,F403  (Oscar's documented way to pull its defaults)

from shop.apps.order.constants import (
    ORDER_STATUS_CANCELLED,
    ORDER_STATUS_COMPLETE,
    ORDER_STATUS_PAID,
    ORDER_STATUS_PENDING,
    ORDER_STATUS_REFUNDED,
    ORDER_STATUS_SHIPPED,
)
from shop.security_policy import content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` file is optional; real environment variables always win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --------------------------------------------------------------------------- core
DEBUG = env.bool("DEBUG", default=True)
# The embedded default key is only for local runs; production must set its own.
SECRET_KEY = env.str("SECRET_KEY", default="embedded-dev-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    # Oscar: the apps we change are forked under shop/apps (oscar_fork_app).
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.apps.shipping.apps.ShippingConfig",
    "shop.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.apps.partner.apps.PartnerConfig",
    "shop.apps.basket.apps.BasketConfig",
    "shop.apps.payment.apps.PaymentConfig",
    "shop.apps.offer.apps.OfferConfig",
    "shop.apps.order.apps.OrderConfig",
    "shop.apps.customer.apps.CustomerConfig",
    "shop.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "shop.apps.order.dashboard.apps.RefundsDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    # Wagtail (admin at /cms/)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    # Marketing translates pages in /cms/ ("Translate": a copy in the other language to edit);
    # wagtail.locales is the admin screen of the content languages.
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Celery beat schedule kept in the database, editable by staff.
    "django_celery_beat",
    # Our own apps
    "shop.pages.apps.PagesConfig",
    "shop.demo.apps.DemoConfig",
    # Tasks the broker refused (Redis down) wait here until it is back.
    "shop.outbox.apps.OutboxConfig",
    # Visitors' storefront pages from the cache, with per-request holes.
    "shop.page_cache.apps.PageCacheConfig",
    "wallet.apps.WalletConfig",
    "loyalty.apps.LoyaltyConfig",
    "recommendations.apps.RecommendationsConfig",
    "operations.apps.OperationsConfig",
    "operations.dashboard.apps.OperationsDashboardConfig",
    # Department credit accounts and "pay on account".
    "credit.apps.CreditConfig",
    "credit.dashboard.apps.CreditDashboardConfig",
    # Pre-orders (sell before release, charge at release, never oversell).
    "preorders.apps.PreordersConfig",
    "preorders.dashboard.apps.PreordersDashboardConfig",
    # Campus single sign-on (OpenID Connect), off unless CAMPUS_SSO is set.
    "mozilla_django_oidc",
    "campus_sso.apps.CampusSsoConfig",
    # The in-store till, cashier shifts and the rota.
    "till.apps.TillConfig",
    "till.dashboard.apps.TillDashboardConfig",
    # CRM: 360° profile, tickets, surveys, lists, reports (Wagtail admin).
    "crm.apps.CrmConfig",
    # Marketing: RFM and value segments, rule segments, campaigns (Wagtail admin).
    "marketing.apps.MarketingConfig",
    # The staff roles (staff/roles.py): groups installed after every migrate.
    "staff.apps.StaffConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Everything after it reads the request's once-per-request values (shop/request_memo.py).
    "shop.request_memo.RequestMemoMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses an oversized body (413) before CSRF or a form parses it.
    "shop.request_limits.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A login refused by the throttle answers 429 with the reason (login_throttle.py).
    "shop.apps.customer.login_throttle.LoginThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so the user, language, messages and basket are known; answers a visitor's
    # storefront page from the cache before its view runs (shop/page_cache/middleware.py).
    "shop.page_cache.middleware.PageCacheMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                # Not Oscar's notifications processor: the account links' page hole counts the
                # unread ones (shop/page_cache/storefront_holes.py).
                "oscar.core.context_processors.metadata",
                "wagtail.contrib.settings.context_processors.settings",
                # After Django's CSRF processor: the token is a hole in a cached page.
                "shop.page_cache.context_processors.csrf_token_hole",
            ],
            # Oscar's product page loads ``history_tags``: its recently viewed products are a
            # page hole (shop/page_cache/history_tags.py).
            "libraries": {"history_tags": "shop.page_cache.history_tags"},
        },
    },
]

AUTHENTICATION_BACKENDS = (
    # First: refuses a locked username + IP before any password is checked.
    "shop.apps.customer.login_throttle.LoginThrottleBackend",
    # Members: card number + PIN in place of email + password (loyalty/backends.py).
    "loyalty.backends.MemberCardBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
# Password guessing (shop/apps/customer/login_throttle.py): after this many wrong passwords
# for one username from one IP address, every login form refuses it for the window.
LOGIN_THROTTLE_MAX_FAILURES = env.int("LOGIN_THROTTLE_MAX_FAILURES", default=5)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=15 * 60)
# How many proxies in front of the app append to X-Forwarded-For (core.throttle.client_ip: the
# client address every IP-keyed counter uses). 0: the header is the client's and is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --------------------------------------------------------------------------- data
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait instead of failing fast when the dev server and a
    # management command write at the same time.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache outage must not take the store down: pages fall back to the database.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Visitors' cached storefront pages (shop/page_cache). Every change a visitor could see starts
# a new version in the key at once; the lifetime bounds what a change without a signal (a bulk
# UPDATE) leaves behind, and search pages, whose words are anyone's, live shorter.
PAGE_CACHE_TIMEOUT_SECONDS = env.int("PAGE_CACHE_TIMEOUT_SECONDS", default=5 * 60)
PAGE_CACHE_SEARCH_TIMEOUT_SECONDS = env.int("PAGE_CACHE_SEARCH_TIMEOUT_SECONDS", default=60)

# --------------------------------------------------------------------------- celery
# Without Redis: kombu's in-memory transport, named with a host because kombu warns "No
# hostname was supplied" for a URL without one (every start of `make run`'s beat).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker the embedded profile runs every task in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-task must not lose the task: acknowledge only once it finished.
CELERY_TASK_ACKS_LATE = True
# ...and a pool process that dies (SIGKILL, out of memory) puts its task back on the queue;
# every task is idempotent, so the second run changes nothing the first one committed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: with late acks a prefetched message would wait behind a
# long task, and a killed worker would hold it too. (tests/integration/faults/ shows all three.)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What jobs print (the development profile's console emails among it) is output, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
# The schedule is kept in the database either way; without a broker (make run) beat runs each
# due job in its own process and catches up runs missed while it was stopped (shop/beat.py).
CELERY_BEAT_SCHEDULER = (
    "shop.beat:InProcessScheduler"
    if CELERY_TASK_ALWAYS_EAGER
    else "django_celery_beat.schedulers:DatabaseScheduler"
)
# Apps add their nightly jobs here; django_celery_beat syncs it into the database.
CELERY_BEAT_SCHEDULE: dict = {}
# Tasks kept in the outbox while Redis was down (shop/outbox) go out within a minute of its return.
CELERY_BEAT_SCHEDULE["outbox-publish-pending"] = {
    "task": "outbox.pending_tasks_publish",
    "schedule": 60.0,
}
# Store operations: recompute reorder suggestions and email operators, every night.
CELERY_BEAT_SCHEDULE["operations-reorder-nightly"] = {
    "task": "operations.reorder_nightly",
    "schedule": crontab(hour=2, minute=30),
}
# Product page views counted in the cache are added to Oscar's analytics rows.
CELERY_BEAT_SCHEDULE["catalogue-product-views-flush"] = {
    "task": "catalogue.product_views_flush",
    "schedule": 300.0,
}
# Credit accounts: reminders, escalations and holds for overdue invoices, every morning.
CELERY_BEAT_SCHEDULE["credit-collection-daily"] = {
    "task": "credit.collection_daily",
    "schedule": crontab(hour=7, minute=0),
}
# Credit accounts: last month's statements to each account's billing email, on the 1st.
CELERY_BEAT_SCHEDULE["credit-statements-monthly"] = {
    "task": "credit.statements_monthly",
    "schedule": crontab(day_of_month=1, hour=6, minute=0),
}
# Recommendations: rebuild every stored list from the day's paid orders while the store is shut.
CELERY_BEAT_SCHEDULE["recommendations-recompute-nightly"] = {
    "task": "recommendations.recompute_all",
    "schedule": crontab(hour=3, minute=30),
}
# Loyalty: expire points past their date (oldest first), then recompute tiers from the
# rolling 12-month spend, which changes overnight even without an order.
CELERY_BEAT_SCHEDULE["loyalty-points-expire-nightly"] = {
    "task": "loyalty.points_expire_due",
    "schedule": crontab(hour=1, minute=30),
}
CELERY_BEAT_SCHEDULE["loyalty-tiers-recompute-nightly"] = {
    "task": "loyalty.tiers_recompute_all",
    "schedule": crontab(hour=1, minute=45),
}
# Loyalty: warn members 30 days before points expire (once per expiring credit), and pay
# birthday bonuses (once per member and year), in the morning so emails arrive by day.
CELERY_BEAT_SCHEDULE["loyalty-expiry-reminders-daily"] = {
    "task": "loyalty.points_expiry_reminders_send",
    "schedule": crontab(hour=9, minute=0),
}
CELERY_BEAT_SCHEDULE["loyalty-birthday-bonuses-daily"] = {
    "task": "loyalty.birthday_bonuses_award",
    "schedule": crontab(hour=8, minute=0),
}
# Pre-orders: release (capture/charge) what is due today, chase failed payments, remind and
# cancel uncollected store pick-ups. Early, so released goods are charged before the store opens.
CELERY_BEAT_SCHEDULE["preorders-release-daily"] = {
    "task": "preorders.release_due",
    "schedule": crontab(hour=6, minute=30),
}
# CRM: flag complaints past their first-reply deadline and email the managers (once each).
CELERY_BEAT_SCHEDULE["crm-tickets-escalate"] = {
    "task": "crm.tickets_escalate_overdue",
    "schedule": crontab(minute="*/15"),
}
# CRM: satisfaction surveys of orders whose delay is over (the order_paid task's safety net).
CELERY_BEAT_SCHEDULE["crm-surveys-send-due"] = {
    "task": "crm.surveys_send_due",
    "schedule": crontab(minute=20),
}

# Marketing: RFM scores, value groups, lifecycle, CLV and segment sizes, after the loyalty
# jobs so tiers and points are current; scheduled campaigns go out within five minutes.
CELERY_BEAT_SCHEDULE["marketing-segmentation-nightly"] = {
    "task": "marketing.segmentation_nightly",
    "schedule": crontab(hour=2, minute=0),
}
CELERY_BEAT_SCHEDULE["marketing-campaigns-send-due"] = {
    "task": "marketing.campaigns_send_due",
    "schedule": crontab(minute="*/5"),
}

# --------------------------------------------------------------------------- i18n
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How dates read in each language (shop/formats): one way everywhere, Chinese in Chinese.
FORMAT_MODULE_PATH = ["shop.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --------------------------------------------------------------------------- static & media
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# sorl-thumbnail's cached_db store, kept in each process per catalogue version
# (shop/apps/catalogue/thumbnails.py): a page's thumbnails cost no round trip once read.
THUMBNAIL_KVSTORE = "shop.apps.catalogue.thumbnails.KVStore"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploads (product pictures, CMS images) are served by Django itself (shop/urls.py): the
# one-machine production of `make prod` has nothing else in front, and WhiteNoise only knows
# the files that existed when it started. A deployment whose proxy or CDN serves MEDIA_URL
# sets SERVE_MEDIA=False.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # WhiteNoise's CompressedManifestStaticFilesStorage (see shop/storage.py).
            else "shop.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Hostile input. Form data without files is held in memory whole, so it stays
# at Django's 2.5 MB (a bigger body answers 400); uploads above 2.5 MB go to a temporary file
# instead of memory. Neither caps a file's size: REQUEST_MAX_BYTES (shop/request_limits.py)
# does, for the whole body, above the largest upload we take (Wagtail images, 10 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=20 * 1024 * 1024)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
# A corrupt image is a form error, not a 500 (shop/pages/image_forms.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "shop.pages.image_forms.ImageForm"

# --------------------------------------------------------------------------- email
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Campus Store <store@campus.example>")

# --------------------------------------------------------------------------- security
# Production (DEBUG=False) gets the full set that `check --deploy` asks for.
SECURE_CONTENT_TYPE_NOSNIFF = True
# Full URLs (order numbers, reset tokens in paths) never leave the site in a Referer header.
SECURE_REFERRER_POLICY = "same-origin"
# Scripts never need the session or CSRF cookie: Django templates put the CSRF token in each
# form, Wagtail reads it from its config and Oscar's dashboard script falls back to the form.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Wagtail's live preview panel renders the page being edited in a same-origin iframe, so
# frames are allowed from our own origin only; W019 asks for DENY, which would break it.
X_FRAME_OPTIONS = "SAMEORIGIN"
# W003: ``history_tags`` is Oscar's library name mapped to ours on purpose (TEMPLATES above).
SILENCED_SYSTEM_CHECKS = ["security.W019", "templates.W003"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    OSCAR_BASKET_COOKIE_SECURE = True
    OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = True
    # Load balancers probe over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]


# --------------------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Oscar logs two lines per stock change while checking back-in-stock alerts.
        "oscar.alerts": {"level": "WARNING"},
    },
}

# --------------------------------------------------------------------------- search
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --------------------------------------------------------------------------- oscar
OSCAR_SHOP_NAME = env.str("SHOP_NAME", default="Campus Store")
OSCAR_SHOP_TAGLINE = _("The college teaching supermarket")
OSCAR_DEFAULT_CURRENCY = env.str("CURRENCY", default="CNY")
# Babel's English locale writes "CN¥" to tell the yuan from the yen; a store in China prints
# "¥" in both languages, as its till receipts do. A negative amount (a count short, a balance
# owed) takes the minus sign "−", the one the templates put before an amount taken off, so a
# signed amount reads the same wherever it is made.
OSCAR_CURRENCY_FORMAT = {"CNY": {"format": "¥#,##0.00;−¥#,##0.00", "currency_digits": False}}
OSCAR_HOMEPAGE = "/"
OSCAR_DYNAMIC_CLASS_LOADER = "shop.class_loading.cached_class_loader"
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "country")
OSCAR_PRODUCTS_PER_PAGE = 24
# Oscar's initial order status and the pipeline operators move orders through.
OSCAR_INITIAL_ORDER_STATUS = ORDER_STATUS_PENDING
OSCAR_INITIAL_LINE_STATUS = ORDER_STATUS_PENDING
OSCAR_ORDER_STATUS_PIPELINE = {
    ORDER_STATUS_PENDING: (ORDER_STATUS_PAID, ORDER_STATUS_CANCELLED),
    ORDER_STATUS_PAID: (
        ORDER_STATUS_SHIPPED,
        ORDER_STATUS_COMPLETE,
        ORDER_STATUS_CANCELLED,
        ORDER_STATUS_REFUNDED,
    ),
    ORDER_STATUS_SHIPPED: (ORDER_STATUS_COMPLETE, ORDER_STATUS_REFUNDED),
    ORDER_STATUS_COMPLETE: (ORDER_STATUS_REFUNDED,),
    ORDER_STATUS_CANCELLED: (),
    # Reached when everything paid has been refunded (dashboard refunds).
    ORDER_STATUS_REFUNDED: (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
# Store operations (operations/dashboard): appended to Oscar's default dashboard menu.
OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION + [  # noqa: F405  (from oscar.defaults)
    {
        "label": _("Operations"),
        "icon": "fas fa-boxes",
        "children": [
            {"label": _("Reorder now"), "url_name": "operations-reorder"},
            {"label": _("Purchase orders"), "url_name": "operations-po-list"},
            {"label": _("Suppliers"), "url_name": "operations-supplier-list"},
            {"label": _("Stock and counts"), "url_name": "operations-stock-list"},
            {"label": _("Academic calendar"), "url_name": "operations-calendar-list"},
            {"label": _("Member promotions"), "url_name": "operations-promotion-create"},
            {"label": _("Finance reports"), "url_name": "operations-finance"},
        ],
    },
    # Pre-orders (preorders/dashboard). The cashiers' hand-over page is not listed
    # here: cashiers reach it by its URL (the till team decides where to link it).
    {
        "label": _("Pre-orders"),
        "icon": "fas fa-calendar-check",
        "children": [
            {"label": _("Pre-order report"), "url_name": "preorders-report"},
            {"label": _("New pre-order product"), "url_name": "preorders-settings-create"},
        ],
    },
    # Department credit accounts (credit/dashboard).
    {
        "label": _("Credit accounts"),
        "icon": "fas fa-file-invoice-dollar",
        "children": [
            {"label": _("Accounts"), "url_name": "credit-account-list"},
            {"label": _("Orders to approve"), "url_name": "credit-approval-list"},
            {"label": _("Write-offs"), "url_name": "credit-writeoff-list"},
            {"label": _("AR aging"), "url_name": "credit-aging"},
            {"label": _("AR balance by month"), "url_name": "credit-balance-report"},
        ],
    },
    # In-store till, cashier shifts and the weekly rota (till/dashboard).
    {
        "label": _("Till"),
        "icon": "fas fa-cash-register",
        "children": [
            {"label": _("Ring up a sale"), "url_name": "till-sale"},
            {"label": _("Shifts"), "url_name": "till-shift-list"},
            {"label": _("Weekly rota"), "url_name": "till-rota"},
        ],
    },
]

# --------------------------------------------------------------------------- wagtail
WAGTAIL_SITE_NAME = OSCAR_SHOP_NAME
# Wagtail's Draftail widget, minus the 500 on a malformed posted value.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "shop.pages.widgets.DraftailRichTextAreaRefusingMalformedInput"}
}
WAGTAILADMIN_BASE_URL = env.str("BASE_URL", default="http://127.0.0.1:8000")
# Emails link to the store by Django's Site record (Oscar's password reset and order emails
# build ``{OSCAR_URL_SCHEMA}://{site.domain}{path}``); migrate sets that record from BASE_URL
# and OSCAR_SHOP_NAME (shop.pages.services.site_record_sync), so both name one host.
OSCAR_URL_SCHEMA = urlsplit(WAGTAILADMIN_BASE_URL).scheme or "http"
# Every page can have a version per content language (one page tree per Locale, the
# default one holding the site's root). A page is served at one URL in every language: the
# active language (cookie or browser, as for Oscar's pages) picks the version, and a page with
# no version in it shows the default one (shop.pages.models.HomePage.route).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# No Gravatar: it is blocked in mainland China, where the store runs, and every image comes
# from our own host; the admin shows Wagtail's own default avatar (tests/browser/security).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The admin's "new Wagtail version" check fetches releases.wagtail.org from the browser, which
# the CSP's connect-src refuses; upgrades go through requirements/, not a banner.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# --------------------------------------------------------------------------- stripe
# The embedded default points the official client at a localstripe server on loopback;
# real keys and STRIPE_API_BASE=https://api.stripe.com switch to Stripe with no code change.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8420")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_localstripe")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_localstripe")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_localstripe")
# Where the browser loads Stripe.js from: localstripe serves a fake one at /js.stripe.com/v3/.
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default=f"{STRIPE_API_BASE}/js.stripe.com/v3/")
# A hung card processor must not hang a checkout worker; retries reuse the idempotency key.
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=1)

# --------------------------------------------------------------------------- content security policy
# Content-Security-Policy (django-csp), on in production by default. Inline scripts and styles
# stay allowed: Oscar's dashboard, Wagtail's admin and our checkout templates use them, and a
# nonce would make browsers ignore 'unsafe-inline'. What it does forbid is scripts, frames and
# connections to any host but ours and Stripe's (Stripe's documented hosts when STRIPE_JS_URL is
# js.stripe.com, localstripe's host otherwise), plugins, and framing by other sites.
SECURITY_CSP_ENABLED = env.bool("SECURITY_CSP_ENABLED", default=not DEBUG)
# Built by a function (shop/security_policy.py) so the browser tests can build the same policy
# for their localstripe's run-time URLs.
CONTENT_SECURITY_POLICY = content_security_policy(
    stripe_js_url=STRIPE_JS_URL, stripe_api_base=STRIPE_API_BASE
)
if SECURITY_CSP_ENABLED:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "csp.middleware.CSPMiddleware",
    )

# --------------------------------------------------------------------------- campus SSO
# Students and staff log in with their campus portal account (OpenID Connect through
# mozilla-django-oidc). Off by default: CAMPUS_SSO=oidc plus the portal's endpoints and this
# store's client id/secret turn it on. The account is matched, created and linked to the member
# card by the campus ID the portal sends in the claim named CAMPUS_SSO_ID_CLAIM.
CAMPUS_SSO = env.str("CAMPUS_SSO", default="")
if CAMPUS_SSO not in ("", "oidc"):
    raise ImproperlyConfigured(f"CAMPUS_SSO must be empty (off) or 'oidc', not {CAMPUS_SSO!r}.")
CAMPUS_SSO_ID_CLAIM = env.str("CAMPUS_SSO_ID_CLAIM", default="campus_id")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
# Match the token's key id in the portal's JWKS; only a portal that publishes a single key
# without ids needs this off.
OIDC_VERIFY_KID = env.bool("OIDC_VERIFY_KID", default=True)
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
# A refused campus login goes back to the login page, where the reason is shown.
LOGIN_REDIRECT_URL_FAILURE = LOGIN_URL
if CAMPUS_SSO == "oidc":
    AUTHENTICATION_BACKENDS = (*AUTHENTICATION_BACKENDS, "campus_sso.backends.CampusOIDCBackend")

# --------------------------------------------------------------------------- demo
DEMO_CSV_PATH = env.path(
    "DEMO_CSV_PATH", default=BASE_DIR / "shop" / "demo" / "data" / "purchases.csv"
)
