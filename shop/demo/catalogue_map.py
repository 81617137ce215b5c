"""Deterministic catalogue for the demo: the purchase history names items, never prices.

Every item of the bundled CSV is written out below with its aisle and shop title, so a
reviewer can read (and argue with) the whole catalogue in one place. Everything else a
product needs (price, barcode, SKU, stock level) is derived from the item name through
SHA-256, never Python's ``hash()``, which is salted per process: the same CSV must give the
same shop on every machine and every run.

Pure functions only: no database access here, so the mapping is testable without Django.
"""

import hashlib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.text import slugify


@dataclass(frozen=True)
class DemoCategory:
    key: str
    name: str
    # Short code at the front of the partner SKU, so operators can tell the aisle at a glance.
    sku_prefix: str
    # Shelf-price range in CNY for a campus supermarket; each item gets a stable point in it.
    price_min: Decimal
    price_max: Decimal


CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory("dairy", "Dairy & eggs", "DAI", Decimal("3.50"), Decimal("26.00")),
    DemoCategory("bakery", "Bakery", "BAK", Decimal("2.50"), Decimal("18.00")),
    DemoCategory("produce", "Fruit & vegetables", "FRV", Decimal("2.50"), Decimal("19.90")),
    DemoCategory("meat_fish", "Meat & fish", "MEA", Decimal("12.00"), Decimal("58.00")),
    DemoCategory("drinks", "Drinks", "DRI", Decimal("2.00"), Decimal("19.90")),
    DemoCategory("alcohol", "Beer, wine & spirits", "ALC", Decimal("4.50"), Decimal("98.00")),
    DemoCategory("frozen", "Frozen", "FRZ", Decimal("6.00"), Decimal("35.00")),
    DemoCategory("pantry", "Pantry", "PAN", Decimal("2.50"), Decimal("29.90")),
    DemoCategory("snacks", "Snacks & sweets", "SNK", Decimal("2.00"), Decimal("19.90")),
    DemoCategory("household", "Household", "HOU", Decimal("3.00"), Decimal("39.90")),
    DemoCategory("personal_care", "Personal care", "PER", Decimal("5.00"), Decimal("49.90")),
    DemoCategory("pets_garden", "Pets & garden", "PET", Decimal("6.00"), Decimal("59.00")),
    DemoCategory("extras", "Newsstand & extras", "EXT", Decimal("0.50"), Decimal("12.00")),
    # Items a custom CSV brings that nobody has mapped yet land here instead of failing.
    DemoCategory("other", "Other", "OTH", Decimal("2.00"), Decimal("29.90")),
)
CATEGORIES_BY_KEY: dict[str, DemoCategory] = {category.key: category for category in CATEGORIES}
FALLBACK_CATEGORY_KEY = "other"
# The home page features this aisle (site_pages_install's featured category).
FEATURED_CATEGORY_KEY = "dairy"

# item (exactly as in the CSV) -> (category key, shop title)
ITEMS: dict[str, tuple[str, str]] = {
    # Dairy & eggs
    "UHT-milk": ("dairy", "UHT Milk"),
    "butter": ("dairy", "Butter"),
    "butter milk": ("dairy", "Buttermilk"),
    "condensed milk": ("dairy", "Condensed Milk"),
    "cream": ("dairy", "Cream"),
    "cream cheese": ("dairy", "Cream Cheese"),
    "curd": ("dairy", "Curd"),
    "curd cheese": ("dairy", "Curd Cheese"),
    "dessert": ("dairy", "Dairy Dessert"),
    "domestic eggs": ("dairy", "Eggs"),
    "hard cheese": ("dairy", "Hard Cheese"),
    "margarine": ("dairy", "Margarine"),
    "processed cheese": ("dairy", "Processed Cheese"),
    "sliced cheese": ("dairy", "Sliced Cheese"),
    "soft cheese": ("dairy", "Soft Cheese"),
    "specialty cheese": ("dairy", "Specialty Cheese"),
    "spread cheese": ("dairy", "Cheese Spread"),
    "whipped/sour cream": ("dairy", "Whipped & Sour Cream"),
    "whole milk": ("dairy", "Whole Milk"),
    "yogurt": ("dairy", "Yogurt"),
    # Bakery
    "brown bread": ("bakery", "Brown Bread"),
    "cake bar": ("bakery", "Cake Bar"),
    "long life bakery product": ("bakery", "Long-Life Bakery Goods"),
    "pastry": ("bakery", "Pastry"),
    "roll products": ("bakery", "Roll Products"),
    "rolls/buns": ("bakery", "Rolls & Buns"),
    "semi-finished bread": ("bakery", "Part-Baked Bread"),
    "waffles": ("bakery", "Waffles"),
    "white bread": ("bakery", "White Bread"),
    "zwieback": ("bakery", "Zwieback Rusks"),
    # Fruit & vegetables
    "berries": ("produce", "Berries"),
    "citrus fruit": ("produce", "Citrus Fruit"),
    "grapes": ("produce", "Grapes"),
    "herbs": ("produce", "Fresh Herbs"),
    "onions": ("produce", "Onions"),
    "organic products": ("produce", "Organic Produce"),
    "other vegetables": ("produce", "Mixed Vegetables"),
    "packaged fruit/vegetables": ("produce", "Packaged Fruit & Vegetables"),
    "pip fruit": ("produce", "Apples & Pears"),
    "potato products": ("produce", "Potato Products"),
    "root vegetables": ("produce", "Root Vegetables"),
    "specialty vegetables": ("produce", "Specialty Vegetables"),
    "tropical fruit": ("produce", "Tropical Fruit"),
    # Meat & fish
    "beef": ("meat_fish", "Beef"),
    "chicken": ("meat_fish", "Chicken"),
    "finished products": ("meat_fish", "Deli Ready Meals"),
    "fish": ("meat_fish", "Fresh Fish"),
    "frankfurter": ("meat_fish", "Frankfurters"),
    "ham": ("meat_fish", "Ham"),
    "hamburger meat": ("meat_fish", "Hamburger Meat"),
    "liver loaf": ("meat_fish", "Liver Loaf"),
    "meat": ("meat_fish", "Meat"),
    "meat spreads": ("meat_fish", "Meat Spreads"),
    "organic sausage": ("meat_fish", "Organic Sausage"),
    "pork": ("meat_fish", "Pork"),
    "sausage": ("meat_fish", "Sausage"),
    "turkey": ("meat_fish", "Turkey"),
    # Drinks
    "beverages": ("drinks", "Beverages"),
    "bottled water": ("drinks", "Bottled Water"),
    "cocoa drinks": ("drinks", "Cocoa Drinks"),
    "coffee": ("drinks", "Coffee"),
    "fruit/vegetable juice": ("drinks", "Fruit & Vegetable Juice"),
    "instant coffee": ("drinks", "Instant Coffee"),
    "misc. beverages": ("drinks", "Miscellaneous Beverages"),
    "soda": ("drinks", "Soda"),
    "syrup": ("drinks", "Drink Syrup"),
    "tea": ("drinks", "Tea"),
    # Beer, wine & spirits
    "bottled beer": ("alcohol", "Bottled Beer"),
    "brandy": ("alcohol", "Brandy"),
    "canned beer": ("alcohol", "Canned Beer"),
    "liqueur": ("alcohol", "Liqueur"),
    "liquor": ("alcohol", "Liquor"),
    "liquor (appetizer)": ("alcohol", "Aperitif"),
    "prosecco": ("alcohol", "Prosecco"),
    "red/blush wine": ("alcohol", "Red & Rosé Wine"),
    "rum": ("alcohol", "Rum"),
    "sparkling wine": ("alcohol", "Sparkling Wine"),
    "whisky": ("alcohol", "Whisky"),
    "white wine": ("alcohol", "White Wine"),
    # Frozen
    "frozen chicken": ("frozen", "Frozen Chicken"),
    "frozen dessert": ("frozen", "Frozen Dessert"),
    "frozen fish": ("frozen", "Frozen Fish"),
    "frozen fruits": ("frozen", "Frozen Fruit"),
    "frozen meals": ("frozen", "Frozen Meals"),
    "frozen potato products": ("frozen", "Frozen Potato Products"),
    "frozen vegetables": ("frozen", "Frozen Vegetables"),
    "ice cream": ("frozen", "Ice Cream"),
    # Pantry
    "Instant food products": ("pantry", "Instant Food"),
    "artif. sweetener": ("pantry", "Artificial Sweetener"),
    "baking powder": ("pantry", "Baking Powder"),
    "canned fish": ("pantry", "Canned Fish"),
    "canned fruit": ("pantry", "Canned Fruit"),
    "canned vegetables": ("pantry", "Canned Vegetables"),
    "cereals": ("pantry", "Breakfast Cereals"),
    "cooking chocolate": ("pantry", "Cooking Chocolate"),
    "flour": ("pantry", "Flour"),
    "honey": ("pantry", "Honey"),
    "jam": ("pantry", "Jam"),
    "ketchup": ("pantry", "Ketchup"),
    "mayonnaise": ("pantry", "Mayonnaise"),
    "mustard": ("pantry", "Mustard"),
    "oil": ("pantry", "Cooking Oil"),
    "pasta": ("pantry", "Pasta"),
    "pickled vegetables": ("pantry", "Pickled Vegetables"),
    "pudding powder": ("pantry", "Pudding Powder"),
    "ready soups": ("pantry", "Ready Soups"),
    "rice": ("pantry", "Rice"),
    "salad dressing": ("pantry", "Salad Dressing"),
    "salt": ("pantry", "Salt"),
    "sauces": ("pantry", "Sauces"),
    "soups": ("pantry", "Soup Mixes"),
    "specialty fat": ("pantry", "Specialty Fat"),
    "spices": ("pantry", "Spices"),
    "sugar": ("pantry", "Sugar"),
    "sweet spreads": ("pantry", "Sweet Spreads"),
    "vinegar": ("pantry", "Vinegar"),
    # Snacks & sweets
    "candy": ("snacks", "Candy"),
    "chewing gum": ("snacks", "Chewing Gum"),
    "chocolate": ("snacks", "Chocolate"),
    "chocolate marshmallow": ("snacks", "Chocolate Marshmallows"),
    "nut snack": ("snacks", "Nut Snack"),
    "nuts/prunes": ("snacks", "Nuts & Prunes"),
    "popcorn": ("snacks", "Popcorn"),
    "salty snack": ("snacks", "Salty Snacks"),
    "snack products": ("snacks", "Snack Products"),
    "specialty bar": ("snacks", "Snack Bar"),
    "specialty chocolate": ("snacks", "Specialty Chocolate"),
    "tidbits": ("snacks", "Tidbits"),
    # Household
    "abrasive cleaner": ("household", "Scouring Cleaner"),
    "bags": ("household", "Bin Bags"),
    "bathroom cleaner": ("household", "Bathroom Cleaner"),
    "candles": ("household", "Candles"),
    "cleaner": ("household", "All-Purpose Cleaner"),
    "cling film/bags": ("household", "Cling Film & Food Bags"),
    "cookware": ("household", "Cookware"),
    "decalcifier": ("household", "Descaler"),
    "detergent": ("household", "Laundry Detergent"),
    "dish cleaner": ("household", "Dishwashing Liquid"),
    "dishes": ("household", "Dishes"),
    "house keeping products": ("household", "Housekeeping Products"),
    "kitchen towels": ("household", "Kitchen Towels"),
    "kitchen utensil": ("household", "Kitchen Utensil"),
    "light bulbs": ("household", "Light Bulbs"),
    "napkins": ("household", "Napkins"),
    "preservation products": ("household", "Food Preservation Products"),
    "softener": ("household", "Fabric Softener"),
    "toilet cleaner": ("household", "Toilet Cleaner"),
    # Personal care
    "baby cosmetics": ("personal_care", "Baby Care"),
    "dental care": ("personal_care", "Dental Care"),
    "female sanitary products": ("personal_care", "Feminine Hygiene"),
    "hair spray": ("personal_care", "Hair Spray"),
    "hygiene articles": ("personal_care", "Hygiene Articles"),
    "make up remover": ("personal_care", "Make-Up Remover"),
    "male cosmetics": ("personal_care", "Men's Grooming"),
    "rubbing alcohol": ("personal_care", "Rubbing Alcohol"),
    "skin care": ("personal_care", "Skin Care"),
    "soap": ("personal_care", "Soap"),
    # Pets & garden
    "cat food": ("pets_garden", "Cat Food"),
    "dog food": ("pets_garden", "Dog Food"),
    "flower (seeds)": ("pets_garden", "Flower Seeds"),
    "flower soil/fertilizer": ("pets_garden", "Potting Soil & Fertiliser"),
    "pet care": ("pets_garden", "Pet Care"),
    "pot plants": ("pets_garden", "Potted Plants"),
    # Newsstand & extras
    "newspapers": ("extras", "Newspapers"),
    "photo/film": ("extras", "Photo & Film"),
    "seasonal products": ("extras", "Seasonal Products"),
    "shopping bags": ("extras", "Shopping Bags"),
}

# GS1 reserves prefixes 20-29 for numbers a store assigns itself (restricted circulation),
# which is exactly what these are: they must never collide with a real manufacturer's code.
EAN_STORE_PREFIX = "20"
STOCK_LEVEL_MIN = 20
STOCK_LEVEL_MAX = 200
_PRICE_STEP = Decimal("0.1")  # whole jiao
_SMALL_WORDS = frozenset({"a", "an", "and", "for", "of", "or", "the", "with"})


def _stable_fraction(*, salt: str, item: str) -> Decimal:
    """A number in [0, 1) that depends only on the item name (and what it is used for)."""
    digest = hashlib.sha256(f"{salt}:{item}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)


def item_category_key(item: str) -> str:
    if item in ITEMS:
        return ITEMS[item][0]
    return FALLBACK_CATEGORY_KEY


def item_category(item: str) -> DemoCategory:
    return CATEGORIES_BY_KEY[item_category_key(item)]


def title_case(text: str) -> str:
    """Title-case an unmapped item name without Python's ``str.title`` quirks ("Uht-Milk")."""
    words = re.split(r"(\s+|/|-)", text.strip())
    titled = []
    for index, word in enumerate(words):
        if word.isupper() and len(word) > 1:
            titled.append(word)  # keep acronyms such as UHT
        elif index and word.lower() in _SMALL_WORDS:
            titled.append(word.lower())
        else:
            titled.append(word[:1].upper() + word[1:])
    return "".join(titled)


def item_title(item: str) -> str:
    if item in ITEMS:
        return ITEMS[item][1]
    return title_case(item)


def item_price(item: str) -> Decimal:
    """Shelf price in CNY: a stable point in the category's range, in whole jiao (0.10).

    The fraction is squared so most items sit at the cheap end of their aisle, as on a real
    shelf, with a few premium ones near the top.
    """
    category = item_category(item)
    span = category.price_max - category.price_min
    raw = category.price_min + span * _stable_fraction(salt="price", item=item) ** 2
    price = raw.quantize(_PRICE_STEP, rounding=ROUND_HALF_UP)
    return min(max(price, category.price_min), category.price_max).quantize(Decimal("0.01"))


def ean13_check_digit(first_twelve_digits: str) -> str:
    """GS1 check digit: weights 1,3,1,3,... from the left over the first 12 digits."""
    if len(first_twelve_digits) != 12 or not first_twelve_digits.isdigit():
        raise ValueError(f"An EAN-13 body is 12 digits, got {first_twelve_digits!r}")
    total = sum(
        int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve_digits)
    )
    return str((10 - total % 10) % 10)


def ean13_is_valid(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


def item_ean13(item: str, *, attempt: int = 0) -> str:
    """Store-assigned EAN-13. ``attempt`` lets the caller step past a (very unlikely) clash."""
    salt = "ean" if attempt == 0 else f"ean{attempt}"
    reference = int(_stable_fraction(salt=salt, item=item) * 10**10)
    body = f"{EAN_STORE_PREFIX}{reference:010d}"
    return body + ean13_check_digit(body)


def items_ean13(items: list[str]) -> dict[str, str]:
    """EAN-13 for each item, guaranteed unique within the set (items taken in sorted order)."""
    codes: dict[str, str] = {}
    taken: set[str] = set()
    for item in sorted(items):
        attempt = 0
        code = item_ean13(item)
        while code in taken:
            attempt += 1
            code = item_ean13(item, attempt=attempt)
        codes[item] = code
        taken.add(code)
    return codes


def item_sku(item: str) -> str:
    """Partner SKU, readable on a shelf label: aisle code plus the item's slug."""
    slug = slugify(item.replace("/", " "), allow_unicode=True)
    return f"{item_category(item).sku_prefix}-{slug.upper()}"[:128]


def item_stock_level(item: str) -> int:
    span = STOCK_LEVEL_MAX - STOCK_LEVEL_MIN + 1
    return STOCK_LEVEL_MIN + int(_stable_fraction(salt="stock", item=item) * span)
