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
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import GroupPagePermission, Locale, Page, Site

from shop.pages.models import ContentPage, HomePage
from staff.roles import MARKETING_GROUP

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

# Page content is editors' content, not UI chrome: it is written here in English (the default
# content language) and in Chinese as the pages' zh-Hans versions (PAGE_TRANSLATIONS below),
# never through the gettext catalogue, and marketing rewrites both in /cms/.
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

# The store's hours, also part of the demo loader's earlier opening-hours text.
STORE_HOURS_HTML = (
    "<h2>In the store</h2>"
    "<ul><li>Monday to Friday: 7:30 – 21:00</li>"
    "<li>Saturday and Sunday: 9:00 – 18:00</li>"
    "<li>Public holidays: 10:00 – 16:00</li></ul>"
    "<p>During exam weeks we stay open until 23:00 from Monday to Thursday.</p>"
)

OPENING_HOURS_BODY = [
    (
        "rich_text",
        STORE_HOURS_HTML + "<h2>Online orders</h2>"
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

# The home page's category list is titled after its category, whose name is catalogue data.
CATEGORY_LIST_TITLES = {"en": "From the {name} aisle", "zh-hans": "货架推荐：{name}"}


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
    *,
    featured_product_ids: list[int],
    featured_category_id: int | None,
    delivery_page,
    coming_soon_category_id: int | None = None,
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
    if coming_soon_category_id is not None:
        # Products not on the shelf yet are found only here and in their aisle: a shopper
        # does not search for what they do not know is coming.
        body.append(
            (
                "product_list",
                {
                    "title": "Coming soon: pre-order now",
                    "category": coming_soon_category_id,
                    "limit": 4,
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
    # A member's own shelves belong on the front page: what they are due to buy again, then
    # what is new for them (visitors see no "buy it again" and what is popular right now).
    body.append(("buy_it_again", {"title": "", "limit": 4}))
    body.append(("recommended_for_you", {"title": "", "limit": 4}))
    if featured_category_id is not None:
        category = Category.objects.get(pk=featured_category_id)
        body.append(
            (
                "product_list",
                {
                    "title": CATEGORY_LIST_TITLES["en"].format(name=category.name),
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


def editors_publish_grant(*, home: Page) -> None:
    """Let marketing publish the pages of this home page's tree.

    Wagtail's stock "Editors" group may only submit pages for moderation. The store's
    marketing staff are those editors and publish their own promotions, so the group gets
    the publish right on the store's pages (and only there). Each content language has its
    own tree, whose home page is a translation of the site's one: a receiver grants the right
    on it when it is made (``shop.pages.receivers``).
    """
    editors = Group.objects.filter(name=MARKETING_GROUP).first()
    if editors is None:
        return
    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.get_or_create(group=editors, page=home, permission=publish)


@transaction.atomic
def locales_install(*, using: str = "default") -> list[Locale]:
    """A Wagtail Locale for every content language (``WAGTAIL_CONTENT_LANGUAGES``).

    Wagtail's migrations create only the default language's; the others must exist before a
    page can be translated into them. Idempotent: runs after every ``migrate``.
    """
    return [
        Locale.objects.using(using).get_or_create(language_code=language_code)[0]
        for language_code, _label in settings.WAGTAIL_CONTENT_LANGUAGES
    ]


@transaction.atomic
def site_pages_install(
    *,
    featured_product_ids: list[int],
    featured_category_id: int | None,
    coming_soon_category_id: int | None = None,
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

    locales_install()
    home = HomePage.objects.filter(locale=Locale.get_default()).first()
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
    editors_publish_grant(home=home)

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
                coming_soon_category_id=coming_soon_category_id,
            )
        )
        _publish(home)
    return home


# The demo's zh-Hans versions of the store's pages, by the English text they translate: what
# marketing would type into the copies "Translate" makes. A text with no entry (one marketing
# changed since) stays English in the copy, as it would in /cms/.
PAGE_TRANSLATIONS: dict[str, dict[str, str]] = {
    "zh-hans": {
        "Campus Store": "校园超市",
        "Fresh food, fair prices, run by students": "新鲜食品，实惠价格，学生自己经营",
        "Groceries, snacks and everyday essentials at the heart of campus. Order online and "
        "pick up on your way home, or have it delivered to your dormitory.": (
            "食品杂货、零食和日用品，就在校园中心。网上下单，回宿舍路上顺路自提，"
            "或者直接送到你的宿舍。"
        ),
        "Browse the store": "逛逛商店",
        "This week's picks": "本周精选",
        "Coming soon: pre-order now": "即将上市：现在预订",
        "<h2>Your campus supermarket</h2>"
        "<p>We are the college's teaching supermarket: a real shop where students "
        "learn retail by running it. Members collect points on every purchase and "
        "can pay with their campus-card wallet.</p>": (
            "<h2>你身边的校园超市</h2>"
            "<p>我们是学院的教学超市：一家真正的商店，学生在经营中学习零售。"
            "会员每次购物都能累积积分，还可以用校园卡钱包付款。</p>"
        ),
        "Delivered to your dormitory": "送货到宿舍",
        "Choose a delivery round at checkout and we bring it to your room.": (
            "结账时选择配送时段，我们把商品送到你的房间。"
        ),
        "How campus delivery works": "了解校园配送",
        "About us": "关于我们",
        "The college's teaching supermarket, run by students.": "学院的教学超市，由学生经营。",
        ABOUT_BODY[0][1]: (
            "<h2>一家由学生经营的真正商店</h2>"
            "<p>校园超市是学院的教学超市。零售和物流专业的学生负责订货、上架、收银和策划促销，"
            "由有多年从业经验的老师指导。</p>"
            "<p>我们的所有商品都按学生的预算定价，盈余全部用于这些专业的奖学金和教学设备。</p>"
            "<h3>会员更实惠</h3>"
            "<p>在收银台出示校园卡或在网上登录，每次购物都能累积积分，"
            "还可以直接用校园卡钱包付款。</p>"
        ),
        "Opening hours": "营业时间",
        "When the store and the online shop are open.": "门店和网上商店的营业时间。",
        OPENING_HOURS_BODY[0][1]: (
            "<h2>门店</h2>"
            "<ul><li>周一至周五：7:30 – 21:00</li>"
            "<li>周六、周日：9:00 – 18:00</li>"
            "<li>法定节假日：10:00 – 16:00</li></ul>"
            "<p>考试周期间，周一至周四营业到 23:00。</p>"
            "<h2>网上订单</h2>"
            "<p>网上商店全天 24 小时营业。结账时会告诉你订单什么时候可以自提，"
            "以及还赶得上哪几趟配送。</p>"
        ),
        "Campus delivery": "校园配送",
        "Groceries to your dormitory, office or lab, twice a day.": (
            "每天两趟，把食品杂货送到你的宿舍、办公室或实验室。"
        ),
        DELIVERY_BODY[0][1]: (
            "<h2>送货上门，覆盖整个校园</h2>"
            "<p>主校区的每一栋宿舍楼、办公楼和实验室我们都送。结账时选择配送时段，"
            "并告诉我们楼号和房间号。</p>"
        ),
        DELIVERY_BODY[2][1]: (
            "<ul><li>冷藏和冷冻商品装在保温箱里配送。</li>"
            "<li>不在宿舍？我们会把订单放在宿舍值班台，并给你发消息。</li>"
            "</ul>"
            "<h3>自提</h3>"
            "<p>想自己来取？结账时选择自提：免费，结账页面会告诉你什么时候可以来取。</p>"
        ),
    },
}

# Which text fields of each body block an editor translates.
_TRANSLATABLE_BLOCK_FIELDS = {
    "promo": ("headline", "text", "button_label"),
    "product_list": ("title",),
    "recommended_for_you": ("title",),
    "buy_it_again": ("title",),
    "delivery_terms": ("heading",),
}


def _translated_text(text: str, *, texts: dict[str, str]) -> str:
    return texts.get(text, text)


def _translated_stream(raw: list[dict], *, language_code: str) -> list[dict]:
    texts = PAGE_TRANSLATIONS[language_code]
    translated = []
    for block in raw:
        value = block["value"]
        if block["type"] == "rich_text":
            value = _translated_text(value, texts=texts)
        elif block["type"] in _TRANSLATABLE_BLOCK_FIELDS:
            value = dict(value)
            for name in _TRANSLATABLE_BLOCK_FIELDS[block["type"]]:
                value[name] = _translated_text(value.get(name) or "", texts=texts)
            category = None
            if block["type"] == "product_list" and value.get("category"):
                category = Category.objects.filter(pk=value["category"]).first()
            if category is not None:
                english_title = CATEGORY_LIST_TITLES["en"].format(name=category.name)
                if value["title"] == english_title:
                    value["title"] = CATEGORY_LIST_TITLES[language_code].format(name=category.name)
        translated.append({**block, "value": value})
    return translated


def _translation_write(page: Page, *, language_code: str, publish: bool) -> None:
    # What an editor does with the copy "Translate" made: write the words in the page's
    # language, keep the slug (one URL for both versions), publish it if the original is live.
    texts = PAGE_TRANSLATIONS[language_code]
    page.title = _translated_text(page.title, texts=texts)
    if isinstance(page, ContentPage):
        page.introduction = _translated_text(page.introduction, texts=texts)
    page.body = _translated_stream(list(page.body.raw_data), language_code=language_code)
    if publish:
        _publish(page)
    else:
        page.save_revision()


@transaction.atomic
def site_pages_translation_install(*, language_code: str) -> HomePage:
    """Make the store's home page and its content pages in another content language.

    Copies the home page and every page under it the way the CMS's "Translate" action does
    (Wagtail's ``CopyPageForTranslationAction``, into that language's own tree), writes the
    demo's words for that language into the copies and publishes those whose original is live.
    Idempotent: a page that already has a version in the language is left exactly as it is
    (marketing may have edited it); only missing versions are made.
    """
    if language_code not in PAGE_TRANSLATIONS:
        raise ValidationError(
            _("There are no page texts in the language %(language)s.") % {"language": language_code}
        )
    locale = next(
        (locale for locale in locales_install() if locale.language_code == language_code), None
    )
    if locale is None:
        raise ValidationError(
            _("%(language)s is not one of the site's content languages.")
            % {"language": language_code}
        )
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not isinstance(site.root_page.specific, HomePage):
        raise ValidationError(_("Install the store's pages before translating them."))
    home = site.root_page.specific

    # Tree order: a page's parent has its version before the page is copied under it. Each
    # copy is written before the next is made under it (a parent saved later from a stale
    # instance would reset the tree's child count).
    for page in [home, *home.get_descendants().specific()]:
        if page.has_translation(locale):
            continue
        translated = CopyPageForTranslationAction(
            page=page, locale=locale, include_subtree=False
        ).execute()
        _translation_write(translated.specific, language_code=language_code, publish=page.live)
    return home.get_translation(locale).specific


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
