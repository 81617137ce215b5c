"""Writes for the content pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site as DjangoSite
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from wagtail.models import GroupPagePermission, Page, Site

from shop.pages.models import ContentPage, HomePage
from shop.staff.roles import MARKETING_GROUP

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

# Page content is written in English on purpose: it is editors' content, not UI chrome, and
# marketing rewrites it in /cms/. Only the chrome around it is translated.
ABOUT_BODY = [
    (
        "rich_text",
        "<h2>A real shop, run by students</h2>"
        "<p>The Campus Store is the college's teaching supermarket. Students of the retail "
        "and logistics programmes order the stock, fill the shelves, run the tills and plan "
        "the promotions, coached by staff who have done it for a living.</p>"
        "<p>Everything we sell is priced for a student budget. Any surplus goes back into "
        "scholarships and equipment for the programmes.</p>"
        "<h3>Members save more</h3>"
        "<p>Show your campus card at the till or log in online to collect points on every "
        "purchase and pay straight from your campus-card wallet.</p>",
    ),
]

OPENING_HOURS_BODY = [
    (
        "rich_text",
        "<h2>In the store</h2>"
        "<ul><li>Monday to Friday: 7:30 – 21:00</li>"
        "<li>Saturday and Sunday: 9:00 – 18:00</li>"
        "<li>Public holidays: 10:00 – 16:00</li></ul>"
        "<p>During exam weeks we stay open until 23:00 from Monday to Thursday.</p>"
        "<h2>Online orders</h2>"
        "<p>The online store is open around the clock. The checkout shows when your order "
        "is ready for pick-up and which delivery rounds it can still catch.</p>",
    ),
]

# The fee, threshold, rounds and pick-up times are not written here: the "delivery_terms"
# block shows them from Settings → Delivery and pick-up, the numbers the checkout charges.
DELIVERY_BODY = [
    (
        "rich_text",
        "<h2>Delivered to your door on campus</h2>"
        "<p>We deliver to every dormitory, office and lab on the main campus. Choose a "
        "delivery round at checkout and tell us the building and room.</p>",
    ),
    ("delivery_terms", {"heading": ""}),
    (
        "rich_text",
        "<ul><li>Chilled and frozen goods travel in insulated boxes.</li>"
        "<li>Not in? We leave your order at the dormitory desk and send you a message.</li>"
        "</ul>"
        "<h3>Pick-up</h3>"
        "<p>Prefer to collect? Choose pick-up at checkout: it is free, and the checkout "
        "tells you when your bag is ready.</p>",
    ),
]


def _check_install_input(
    *, featured_product_ids: list[int], featured_category_id: int | None
) -> None:
    missing_ids = set(featured_product_ids) - set(
        Product.objects.filter(pk__in=featured_product_ids).values_list("pk", flat=True)
    )
    if missing_ids:
        raise ValidationError(
            _("These featured products do not exist: %(ids)s")
            % {"ids": ", ".join(str(pk) for pk in sorted(missing_ids))}
        )
    if (
        featured_category_id is not None
        and not Category.objects.filter(pk=featured_category_id).exists()
    ):
        raise ValidationError(
            _("The featured category %(id)s does not exist.") % {"id": featured_category_id}
        )


def _publish(page: Page) -> Page:
    # A first revision makes the page look and behave in /cms/ like one an editor published.
    page.save_revision().publish()
    return page


def _home_page_body(
    *, featured_product_ids: list[int], featured_category_id: int | None, delivery_page
) -> list:
    body = [
        (
            "promo",
            {
                "headline": "Fresh food, fair prices, run by students",
                "text": "Groceries, snacks and everyday essentials at the heart of campus. "
                "Order online and pick up on your way home, or have it delivered to your "
                "dormitory.",
                "button_label": "Browse the store",
                "button_url": "/catalogue/",
            },
        ),
    ]
    if featured_product_ids:
        body.append(
            (
                "product_list",
                {
                    "title": "This week's picks",
                    "products": featured_product_ids,
                    "limit": min(len(featured_product_ids), 8),
                },
            )
        )
    body.append(
        (
            "rich_text",
            "<h2>Your campus supermarket</h2>"
            "<p>We are the college's teaching supermarket: a real shop where students "
            "learn retail by running it. Members collect points on every purchase and "
            "can pay with their campus-card wallet.</p>",
        )
    )
    # Each member's own list (best sellers of the week for visitors): the store's most
    # personal shelf belongs on its front page.
    body.append(("recommended_for_you", {"title": "", "limit": 4}))
    if featured_category_id is not None:
        category = Category.objects.get(pk=featured_category_id)
        body.append(
            (
                "product_list",
                {
                    "title": f"From the {category.name} aisle",
                    "category": featured_category_id,
                    "limit": 4,
                },
            )
        )
    body.append(
        (
            "promo",
            {
                "headline": "Delivered to your dormitory",
                "text": "Choose a delivery round at checkout and we bring it to your room.",
                "button_label": "How campus delivery works",
                "button_page": delivery_page.pk,
            },
        )
    )
    return body


def _raw_stream(body: list) -> list[dict]:
    """StreamField's raw JSON form, which takes ids for products, categories and pages."""
    raw = []
    for block_type, value in body:
        if block_type == "product_list":
            value = {
                "title": value.get("title", ""),
                "products": value.get("products", []),
                "category": value.get("category"),
                "limit": value.get("limit", 4),
            }
        elif block_type == "promo":
            value = {
                "headline": value["headline"],
                "text": value.get("text", ""),
                "image": None,
                "button_label": value.get("button_label", ""),
                "button_page": value.get("button_page"),
                "button_url": value.get("button_url", ""),
            }
        raw.append({"type": block_type, "value": value})
    return raw


def _default_welcome_pages(*, root: Page):
    # Wagtail's migrations create a plain ``Page`` ("Welcome to your new Wagtail site!") under
    # the root; no editor can create a plain Page, so any such page is that placeholder.
    plain_page_type = ContentType.objects.get_for_model(Page)
    return Page.objects.child_of(root).filter(content_type=plain_page_type)


def _editors_may_publish(*, home: HomePage) -> None:
    # Wagtail's stock "Editors" group may only submit pages for moderation. The store's
    # marketing staff are those editors and publish their own promotions, so the group gets
    # the publish right on the store's pages (and only there).
    editors = Group.objects.filter(name=MARKETING_GROUP).first()
    if editors is None:
        return
    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.get_or_create(group=editors, page=home, permission=publish)


@transaction.atomic
def site_pages_install(
    *, featured_product_ids: list[int], featured_category_id: int | None
) -> HomePage:
    """Create the store's home page and content pages, and make the home page the site root.

    Idempotent: an existing home page and existing content pages are left exactly as they
    are (marketing may have edited them); only what is missing is created. Wagtail's
    "Editors" group (marketing) may publish the store's pages.
    """
    _check_install_input(
        featured_product_ids=featured_product_ids, featured_category_id=featured_category_id
    )
    root = Page.get_first_root_node()

    home = HomePage.objects.first()
    created_home = home is None
    if created_home:
        welcome_pages = list(_default_welcome_pages(root=root))
        # Sites cascade-delete with their root page, so park them on the tree root first.
        Site.objects.filter(root_page__in=welcome_pages).update(root_page=root)
        for welcome in welcome_pages:
            welcome.delete()
        home = root.add_child(instance=HomePage(title=settings.WAGTAIL_SITE_NAME, slug="home"))

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            site_name=settings.WAGTAIL_SITE_NAME,
            root_page=home,
            is_default_site=True,
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    _editors_may_publish(home=home)

    content_pages = {}
    for slug, title, introduction, body in [
        (
            "about-us",
            "About us",
            "The college's teaching supermarket, run by students.",
            ABOUT_BODY,
        ),
        (
            "opening-hours",
            "Opening hours",
            "When the store and the online shop are open.",
            OPENING_HOURS_BODY,
        ),
        (
            "campus-delivery",
            "Campus delivery",
            "Groceries to your dormitory, office or lab, twice a day.",
            DELIVERY_BODY,
        ),
    ]:
        page = ContentPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = home.add_child(
                instance=ContentPage(
                    title=title,
                    slug=slug,
                    introduction=introduction,
                    body=_raw_stream(body),
                    show_in_menus=True,
                )
            )
            _publish(page)
        content_pages[slug] = page

    if created_home:
        home.body = _raw_stream(
            _home_page_body(
                featured_product_ids=featured_product_ids,
                featured_category_id=featured_category_id,
                delivery_page=content_pages["campus-delivery"],
            )
        )
        _publish(home)
    return home


@transaction.atomic
def site_record_sync(*, using: str = "default") -> DjangoSite:
    """Make Django's Site record name the store and its public host.

    Oscar's emails sign with ``site.name`` and build their links from ``site.domain``; Django
    creates the record as "example.com", so without this the password-reset link would open
    example.com. The values come from settings (``OSCAR_SHOP_NAME``, ``BASE_URL``), which
    differ between deployments, so every ``migrate`` writes them again.
    """
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    if not base.netloc:
        raise ValidationError(
            _("BASE_URL must be an absolute URL such as https://store.example.edu, not %(url)s.")
            % {"url": settings.WAGTAILADMIN_BASE_URL}
        )
    site, _created = DjangoSite.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": base.netloc, "name": settings.OSCAR_SHOP_NAME},
    )
    return site
