"""Which emoji pictures each demo product, and the background of its aisle.

The demo catalogue has no photographs, so each product is shown as an OpenMoji emoji
(shop/demo/pictures.py renders them). Every item of the bundled CSV is written out here, so a
reviewer can read the whole choice in one place; an item a custom CSV brings that nobody has
mapped gets its aisle's emoji. Pure data and functions: no Django, testable on its own.
"""

from shop.demo import catalogue_map

# aisle key -> (emoji for an item without its own, soft background colour of its pictures)
CATEGORY_PICTURES: dict[str, tuple[str, str]] = {
    "dairy": ("🥛", "#E8F1FB"),
    "bakery": ("🍞", "#FBF0DF"),
    "produce": ("🥕", "#E7F4E0"),
    "meat_fish": ("🥩", "#FBE8E5"),
    "drinks": ("🥤", "#E0F2F5"),
    "alcohol": ("🍷", "#F2E7F3"),
    "frozen": ("🧊", "#E5EEFA"),
    "pantry": ("🫙", "#FDF5D9"),
    "snacks": ("🍬", "#FCE9F0"),
    "household": ("🧹", "#ECEFF3"),
    "personal_care": ("🧴", "#EFEAF9"),
    "pets_garden": ("🪴", "#EBF4E4"),
    "extras": ("🛍️", "#F3EFE7"),
    "other": ("🛒", "#F1F1F1"),
}

# item (exactly as in the CSV) -> emoji
ITEM_EMOJI: dict[str, str] = {
    # Dairy & eggs
    "UHT-milk": "🥛",
    "butter": "🧈",
    "butter milk": "🥛",
    "condensed milk": "🥫",
    "cream": "🥛",
    "cream cheese": "🧀",
    "curd": "🥣",
    "curd cheese": "🧀",
    "dessert": "🍮",
    "domestic eggs": "🥚",
    "hard cheese": "🧀",
    "margarine": "🧈",
    "processed cheese": "🧀",
    "sliced cheese": "🧀",
    "soft cheese": "🧀",
    "specialty cheese": "🧀",
    "spread cheese": "🧀",
    "whipped/sour cream": "🫙",
    "whole milk": "🥛",
    "yogurt": "🥣",
    # Bakery
    "brown bread": "🍞",
    "cake bar": "🍰",
    "long life bakery product": "🍪",
    "pastry": "🥐",
    "roll products": "🥖",
    "rolls/buns": "🥯",
    "semi-finished bread": "🥖",
    "waffles": "🧇",
    "white bread": "🍞",
    "zwieback": "🍞",
    # Fruit & vegetables
    "berries": "🍓",
    "citrus fruit": "🍊",
    "grapes": "🍇",
    "herbs": "🌿",
    "onions": "🧅",
    "organic products": "🥬",
    "other vegetables": "🥦",
    "packaged fruit/vegetables": "🥗",
    "pip fruit": "🍎",
    "potato products": "🥔",
    "root vegetables": "🥕",
    "specialty vegetables": "🍆",
    "tropical fruit": "🍍",
    # Meat & fish
    "beef": "🥩",
    "chicken": "🍗",
    "finished products": "🍱",
    "fish": "🐟",
    "frankfurter": "🌭",
    "ham": "🍖",
    "hamburger meat": "🍔",
    "liver loaf": "🍖",
    "meat": "🥩",
    "meat spreads": "🥪",
    "organic sausage": "🌭",
    "pork": "🥓",
    "sausage": "🌭",
    "turkey": "🦃",
    # Drinks
    "beverages": "🥤",
    "bottled water": "💧",
    "cocoa drinks": "☕",
    "coffee": "☕",
    "fruit/vegetable juice": "🧃",
    "instant coffee": "☕",
    "misc. beverages": "🧋",
    "soda": "🥤",
    "syrup": "🫗",
    "tea": "🍵",
    # Beer, wine & spirits
    "bottled beer": "🍺",
    "brandy": "🥃",
    "canned beer": "🍻",
    "liqueur": "🍸",
    "liquor": "🥃",
    "liquor (appetizer)": "🍸",
    "prosecco": "🍾",
    "red/blush wine": "🍷",
    "rum": "🥃",
    "sparkling wine": "🍾",
    "whisky": "🥃",
    "white wine": "🥂",
    # Frozen
    "frozen chicken": "🍗",
    "frozen dessert": "🍨",
    "frozen fish": "🐟",
    "frozen fruits": "🫐",
    "frozen meals": "🍕",
    "frozen potato products": "🍟",
    "frozen vegetables": "🌽",
    "ice cream": "🍦",
    # Pantry
    "Instant food products": "🍜",
    "artif. sweetener": "🍬",
    "baking powder": "🧁",
    "canned fish": "🥫",
    "canned fruit": "🍑",
    "canned vegetables": "🥫",
    "cereals": "🥣",
    "cooking chocolate": "🍫",
    "flour": "🌾",
    "honey": "🍯",
    "jam": "🫙",
    "ketchup": "🍅",
    "mayonnaise": "🥚",
    "mustard": "🫙",
    "oil": "🫒",
    "pasta": "🍝",
    "pickled vegetables": "🥒",
    "pudding powder": "🍮",
    "ready soups": "🍲",
    "rice": "🍚",
    "salad dressing": "🥗",
    "salt": "🧂",
    "sauces": "🥫",
    "soups": "🍲",
    "specialty fat": "🧈",
    "spices": "🌶️",
    "sugar": "🍬",
    "sweet spreads": "🥜",
    "vinegar": "🫗",
    # Snacks & sweets
    "candy": "🍬",
    "chewing gum": "🫧",
    "chocolate": "🍫",
    "chocolate marshmallow": "🍫",
    "nut snack": "🥜",
    "nuts/prunes": "🌰",
    "popcorn": "🍿",
    "salty snack": "🥨",
    "snack products": "🍘",
    "specialty bar": "🍫",
    "specialty chocolate": "🍫",
    "tidbits": "🍪",
    # Household
    "abrasive cleaner": "🧽",
    "bags": "🗑️",
    "bathroom cleaner": "🛁",
    "candles": "🕯️",
    "cleaner": "🧴",
    "cling film/bags": "🥡",
    "cookware": "🍳",
    "decalcifier": "🫖",
    "detergent": "🧺",
    "dish cleaner": "🫧",
    "dishes": "🍽️",
    "house keeping products": "🧹",
    "kitchen towels": "🧻",
    "kitchen utensil": "🥄",
    "light bulbs": "💡",
    "napkins": "🧻",
    "preservation products": "🫙",
    "softener": "👕",
    "toilet cleaner": "🚽",
    # Personal care
    "baby cosmetics": "🍼",
    "dental care": "🪥",
    "female sanitary products": "🧴",
    "hair spray": "💇",
    "hygiene articles": "🧼",
    "make up remover": "💄",
    "male cosmetics": "🪒",
    "rubbing alcohol": "🩹",
    "skin care": "🧴",
    "soap": "🧼",
    # Pets & garden
    "cat food": "🐱",
    "dog food": "🐶",
    "flower (seeds)": "🌻",
    "flower soil/fertilizer": "🌱",
    "pet care": "🐾",
    "pot plants": "🪴",
    # Newsstand & extras
    "newspapers": "📰",
    "photo/film": "📷",
    "seasonal products": "🎁",
    "shopping bags": "🛍️",
}


# Demo products that are not in the CSV, by product code: the pre-orders of preorders/demo.py.
OTHER_PRODUCT_EMOJI: dict[str, str] = {
    "preorder-textbook": "📚",
    "preorder-graduation-gown": "🎓",
}


def item_emoji(item: str) -> str:
    """The item's own emoji, or its aisle's for an item nobody has mapped."""
    if item in ITEM_EMOJI:
        return ITEM_EMOJI[item]
    if item in OTHER_PRODUCT_EMOJI:
        return OTHER_PRODUCT_EMOJI[item]
    return CATEGORY_PICTURES[catalogue_map.item_category_key(item)][0]


def item_background(item: str) -> str:
    """Background colour (#RRGGBB) of the item's picture: one soft colour per aisle."""
    return CATEGORY_PICTURES[catalogue_map.item_category_key(item)][1]
