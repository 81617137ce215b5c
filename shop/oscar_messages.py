"""Oscar's own messages, worded again in our zh_Hans catalogue.

Oscar ships a zh_Hans catalogue of its own, and on the very pages our shoppers, cashiers and
operators use its wording differs from ours: 登陆 (a wrong character) for 登录, 你 where we
address customers as 您, 猜你喜欢 for "Products you recently viewed", three words for one
delivery address, 结算 beside our 结账. Django reads the catalogues of LOCALE_PATHS before any
app's, so our translation of a message wins everywhere, Oscar's templates included, but only
for a message our catalogue has; and ``makemessages`` keeps a message in our catalogue only
while our code names it. This module names them, so that each one reads one way on every page.

Nothing imports it. tests/unit/i18n checks that every entry is one of Oscar's messages.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

OSCAR_MESSAGES = (
    gettext_noop("First line of address"),
    gettext_noop("Second line of address"),
    gettext_noop("Third line of address"),
    gettext_noop("State/County"),
    gettext_noop("In case we need to call you about your order"),
    gettext_noop("Instructions"),
    gettext_noop("Tell us anything we should know when delivering your order."),
    gettext_noop("Shipping address"),
    gettext_noop("Shipping addresses"),
    gettext_noop("Default shipping address?"),
    gettext_noop("Date Created"),
    gettext_noop("Product Views"),
    gettext_noop("Product views"),
    gettext_noop("Date created"),
    gettext_noop("Date submitted"),
    gettext_noop("You cannot modify a %s basket"),
    gettext_noop(
        "The price of '%(product)s' has increased from %(old_price)s to %(new_price)s since you added it to your basket"
    ),
    gettext_noop(
        "The price of '%(product)s' has decreased from %(old_price)s to %(new_price)s since you added it to your basket"
    ),
    gettext_noop("Line attribute"),
    gettext_noop("Line attributes"),
    gettext_noop("Save for Later"),
    gettext_noop("Move to Basket"),
    gettext_noop(
        "Due to technical limitations we are not able to ship more than %(threshold)d items in one order. Your basket currently has %(basket)d items."
    ),
    gettext_noop(
        "This product cannot be added to the basket because a price could not be determined for it."
    ),
    gettext_noop(
        "We have merged a basket from a previous session. Its contents might have changed."
    ),
    gettext_noop("Num items"),
    gettext_noop("Open baskets"),
    gettext_noop("You can't save an item for later if you're not logged in!"),
    gettext_noop("The '%(code)s' voucher has expired"),
    gettext_noop("The '%(code)s' voucher is not active"),
    gettext_noop("Your basket does not qualify for a voucher discount"),
    gettext_noop("Voucher '%(code)s' added to basket"),
    gettext_noop("You have already added the '%(code)s' voucher to your basket"),
    gettext_noop("No voucher found with code '%(code)s'"),
    gettext_noop("Please enter a voucher code"),
    gettext_noop("Voucher '%s' removed from basket"),
    gettext_noop("Requires shipping?"),
    gettext_noop("Meta title"),
    gettext_noop("Meta description"),
    gettext_noop("Is public"),
    gettext_noop("Show this product in search results and catalogue listings."),
    gettext_noop(
        "Universal Product Code (UPC) is an identifier for a product which is not specific to a particular  supplier. Eg an ISBN for a book."
    ),
    gettext_noop("Product type"),
    gettext_noop("Is discountable?"),
    gettext_noop("This flag indicates if this product can be used in an offer or not"),
    gettext_noop("Your product must have a title."),
    gettext_noop("Your product must have a product class."),
    gettext_noop("You can only assign child products to parent products."),
    gettext_noop(
        "Determines order of the products. A product with a higher value will appear before one with a lower ranking."
    ),
    gettext_noop("Caption"),
    gettext_noop("An image with a display order of zero will be the primary image for a product"),
    gettext_noop("Catalogue"),
    gettext_noop("Requires moderation"),
    gettext_noop("You cannot vote on your own reviews"),
    gettext_noop("You can only vote once on a review"),
    gettext_noop("You have already reviewed this product!"),
    gettext_noop("You can't leave a review for this product."),
    gettext_noop("Thank you for reviewing this product"),
    gettext_noop("My email address is"),
    gettext_noop("I am a new customer and want to checkout as a guest"),
    gettext_noop("I am a new customer and want to create an account before checking out"),
    gettext_noop("I am a returning customer, and my password is"),
    gettext_noop("A user with that email address already exists"),
    gettext_noop("You need to add some items to your basket to checkout"),
    gettext_noop(
        "'%(title)s' is no longer available to buy (%(reason)s). Please adjust your basket to continue"
    ),
    gettext_noop("Please either sign in or enter your email address"),
    gettext_noop("Please choose a shipping address"),
    gettext_noop(
        "Your previously chosen shipping address is no longer valid.  Please choose another one"
    ),
    gettext_noop("Please choose a shipping method"),
    gettext_noop(
        "Your previously chosen shipping method is no longer valid.  Please choose another one"
    ),
    gettext_noop(
        "Create your account and then you will be redirected back to the checkout process"
    ),
    gettext_noop("Shipping is unavailable for your chosen address - please choose another"),
    gettext_noop("Your submitted shipping method is not permitted"),
    gettext_noop(
        "A problem occurred while processing payment for this order - no payment has been taken.  Please contact customer services if this problem persists"
    ),
    gettext_noop("Email Address"),
    gettext_noop("Body Text"),
    gettext_noop("Emails"),
    gettext_noop("Email Subject Template"),
    gettext_noop("Email Body HTML Template"),
    gettext_noop("email address"),
    gettext_noop(
        "Designates whether this user should be treated as active. Unselect this instead of deleting accounts."
    ),
    gettext_noop("Date closed"),
    gettext_noop("Product alert"),
    gettext_noop("Product alerts"),
    gettext_noop("Product Alerts"),
    gettext_noop("An alert has been created"),
    gettext_noop("A confirmation email has been sent to %s"),
    gettext_noop("Your stock alert is now active"),
    gettext_noop("Your stock alert cannot be confirmed"),
    gettext_noop("Your stock alert has been cancelled"),
    gettext_noop("Your stock alert cannot be cancelled"),
    gettext_noop("Email address"),
    gettext_noop("A user with this email address already exists"),
    gettext_noop("Enter your email"),
    gettext_noop("There is already an active stock alert for %s"),
    gettext_noop("You already have an active alert for this product"),
    gettext_noop("Profile"),
    gettext_noop("Edit Profile"),
    gettext_noop("Profile updated"),
    gettext_noop("Delete profile"),
    gettext_noop("Your profile has now been deleted. Thanks for using the site."),
    gettext_noop("Email History"),
    gettext_noop("Order History"),
    gettext_noop("All available lines from order %(number)s have been added to your basket"),
    gettext_noop(
        "It is not possible to re-order order %(number)s as none of its lines are available to purchase"
    ),
    gettext_noop("%(qty)d copies of '%(product)s' have been added to your basket"),
    gettext_noop("'%s' has been added to your basket"),
    gettext_noop("Address '%s' created"),
    gettext_noop("Address '%s' updated"),
    gettext_noop("Address '%s' deleted"),
    gettext_noop("We do not ship to this country"),
    gettext_noop(
        "The shared accounts won't be able to access your wishlist because the visiblity is set to private."
    ),
    gettext_noop(
        "You have added shared accounts to your wishlist but the visiblity is public, this means everyone with a link has access to it."
    ),
    gettext_noop("Create a new wish list"),
    gettext_noop("Your wishlist has been created and '%(name)s has been added"),
    gettext_noop("Your wishlist has been created"),
    gettext_noop("%(title)s has been added to your wishlist"),
    gettext_noop("Your '%s' wishlist has been updated"),
    gettext_noop("Your '%s' wish list has been deleted"),
    gettext_noop("'%s' was added to your wish list."),
    gettext_noop("'%(title)s' was removed from your '%(name)s' wish list"),
    gettext_noop("Wish list '%(name)s' already containing '%(title)s'"),
    gettext_noop("'%(title)s' moved to '%(name)s' wishlist"),
    gettext_noop("Leave blank to generate from product title"),
    gettext_noop("Your submitted data was not valid - please correct the errors below"),
    gettext_noop("Product Types"),
    gettext_noop("Email subject template"),
    gettext_noop("Email body HTML template"),
    gettext_noop("Offer name"),
    gettext_noop("Is active?"),
    gettext_noop("Offer type"),
    gettext_noop("Has vouchers?"),
    gettext_noop("Order total"),
    gettext_noop("Incentive"),
    gettext_noop("Date from"),
    gettext_noop("Date to"),
    gettext_noop("Get results as"),
    gettext_noop("Create New Page"),
    gettext_noop("Report Type"),
    gettext_noop("The report is inclusive of this date"),
    gettext_noop("to"),
    gettext_noop("Number of Orders"),
    gettext_noop("Site offer - available to all users"),
    gettext_noop("Voucher offer - only available after entering the appropriate voucher code"),
    gettext_noop("Priority"),
    gettext_noop("Limited to %(total)d uses per basket"),
    gettext_noop("Is public?"),
    gettext_noop("Ranges"),
    gettext_noop("Date Uploaded"),
    gettext_noop("Offer"),
    gettext_noop("%(value)s%% discount on %(range)s"),
    gettext_noop("%(value)s discount on %(range)s"),
    gettext_noop("Amount Debited"),
    gettext_noop("Amount Refunded"),
    gettext_noop("Cheapest product from %(range)s is free"),
    gettext_noop("Basket includes %(count)d item(s) from %(range)s"),
    gettext_noop("Spend %(value)s more from %(range)s"),
    gettext_noop("Billing Address"),
    gettext_noop("Shipping charge (inc. tax)"),
    gettext_noop("Shipping Address"),
    gettext_noop("Guest email address"),
    gettext_noop("Order Note"),
    gettext_noop("Order Notes"),
    gettext_noop("Partner Notes"),
    gettext_noop("Order Line"),
    gettext_noop("'%(title)s' is no longer available"),
    gettext_noop("Line Attribute"),
    gettext_noop("Line Attributes"),
    gettext_noop("Orders placed"),
    gettext_noop("Low Stock Threshold"),
    gettext_noop("Date Closed"),
    gettext_noop("unavailable"),
    gettext_noop("Source"),
    gettext_noop("Allocation of %(amount)s from type %(type)s"),
    gettext_noop("Valid to"),
    gettext_noop("Relevancy"),
    gettext_noop("Customer rating"),
    gettext_noop("Title A to Z"),
    gettext_noop("Title Z to A"),
    gettext_noop("This will be shown in the checkout and basket once the voucher is entered"),
    gettext_noop("You have already used this voucher in a previous order"),
    gettext_noop("This voucher is not available for this basket"),
    gettext_noop("Visibility"),
    gettext_noop("You must be logged in to view the wish list"),
    gettext_noop("Stock alert requests"),
    gettext_noop("Email templates"),
    gettext_noop("No"),
    gettext_noop("\n    <strong>%(title)s</strong> has been added to your basket.\n    "),
    gettext_noop(
        "\n    <strong>%(quantity)s</strong> copies of <strong>%(title)s</strong>\n    have been added to your basket.\n    "
    ),
    gettext_noop("\n<strong>%(title)s</strong> has been moved back to your basket.\n"),
    gettext_noop("\n<strong>%(title)s</strong> has been saved for later\n"),
    gettext_noop("\n        Your basket total is now <strong>%(total)s</strong>\n        "),
    gettext_noop("Checkout now"),
    gettext_noop("\nYour basket now qualifies for the \n<strong>%(name)s</strong> offer.\n"),
    gettext_noop("\nYour basket no longer qualifies for the\n<strong>%(name)s</strong> offer.\n"),
    gettext_noop("You could be missing out on offers!"),
    gettext_noop("Items to buy now"),
    gettext_noop("Remove"),
    gettext_noop("Save for later"),
    gettext_noop("Voucher/promo code"),
    gettext_noop("I have a voucher code..."),
    gettext_noop("Totals"),
    gettext_noop("Proceed to checkout"),
    gettext_noop("Items to buy later"),
    gettext_noop("Move to basket"),
    gettext_noop("Total:"),
    gettext_noop("Basket total (before discounts)"),
    gettext_noop("Basket total (after discounts)"),
    gettext_noop("Basket total"),
    gettext_noop("Alternative shipping methods can be chosen during checkout"),
    gettext_noop("Shipping total (before discounts)"),
    gettext_noop("Shipping total (after discounts)"),
    gettext_noop("Tax"),
    gettext_noop("Post order actions"),
    gettext_noop("These will be applied once your order is placed."),
    gettext_noop("Taxes will be added during checkout."),
    gettext_noop("Show results for"),
    gettext_noop("Refine by"),
    gettext_noop("<strong>0</strong> results."),
    gettext_noop("No products found."),
    gettext_noop("Product Type"),
    gettext_noop("Availability"),
    gettext_noop("Customer Reviews"),
    gettext_noop("Add to basket"),
    gettext_noop("You have an active stock alert for this product."),
    gettext_noop("You can get an email alert when this product is back in stock."),
    gettext_noop(
        "\n                                        Add to '%(name)s' wish list\n                                    "
    ),
    gettext_noop("Create a new wishlist"),
    gettext_noop(
        '\n                    <span class="float-left">Product is in <a href="%(url)s">\'%(name)s\'</a> wishlist.</span>\n                '
    ),
    gettext_noop("Please login to add products to a wish list."),
    gettext_noop("Customer reviews"),
    gettext_noop("Leave a product review"),
    gettext_noop("Go"),
    gettext_noop("Item"),
    gettext_noop("Checkout gateway"),
    gettext_noop("Who are you?"),
    gettext_noop("Get a password reminder"),
    gettext_noop("Place order"),
    gettext_noop("Where should we ship to?"),
    gettext_noop("An address from your address book?"),
    gettext_noop("Or a new address?"),
    gettext_noop(
        "\n                                This includes a discount of <strong>%(amount)s</strong> as\n                                your basket qualifies for the <strong>%(name)s</strong> offer.\n                            "
    ),
    gettext_noop("\n        Order %(number)s: confirmation\n    "),
    gettext_noop(
        "\n        Your order has been placed and a confirmation email has been sent - your order number is\n        <strong>%(number)s</strong>.\n        "
    ),
    gettext_noop(
        "Please make a note of this reference or print this page and quote it in any communication with us regarding your order."
    ),
    gettext_noop(
        "\n                                Allocation of %(amount)s from type %(type)s (reference: %(reference)s)\n                            "
    ),
    gettext_noop(
        "\n                                Allocation of %(amount)s from type %(type)s\n                            "
    ),
    gettext_noop("Items purchased"),
    gettext_noop("Tracking your order"),
    gettext_noop("Yes!"),
    gettext_noop("Email history"),
    gettext_noop(
        "If it wasn't you who changed it, please reset your password immediately and correct your email address:"
    ),
    gettext_noop("Confirmation of order %(number)s"),
    gettext_noop(
        "You're receiving this e-mail because your password has been changed at %(name)s."
    ),
    gettext_noop(
        "\nYou're receiving this email because your password has been changed at %(name)s.\n"
    ),
    gettext_noop("Your password changed at %(site_name)s."),
    gettext_noop(
        "\n            We are happy to inform you that our product '%(title)s' is back in stock:\n            %(url)s\n        "
    ),
    gettext_noop(
        "\n                Beware that the amount of items in stock is limited. Be quick or someone might get there first.\n            "
    ),
    gettext_noop(
        "\nWe are happy to inform you that our product '%(title)s' is back in stock:\n%(url)s\n"
    ),
    gettext_noop(
        "\nBeware that the amount of items in stock is limited. Be quick or someone might get there first.\n"
    ),
    gettext_noop("View"),
    gettext_noop("With selected items:"),
    gettext_noop("Default shipping address"),
    gettext_noop("Set as default shipping address"),
    gettext_noop("Set as default billing address"),
    gettext_noop("There are no addresses in your address book."),
    gettext_noop("You do not have any active alerts for out-of-stock products."),
    gettext_noop("Order #%(number)s"),
    gettext_noop("Line price excl. tax"),
    gettext_noop("Line price incl. tax"),
    gettext_noop("Basket total (inc. tax)"),
    gettext_noop("Products you recently viewed"),
    gettext_noop("Login or register"),
    gettext_noop("Log In"),
    gettext_noop("I've forgotten my password"),
    gettext_noop("Logging in..."),
    gettext_noop("Order history"),
    gettext_noop("Not available anymore"),
    gettext_noop("Basket total (excl. discounts)"),
    gettext_noop("Basket total (inc. discounts)"),
    gettext_noop("Shipping total (excl. discounts)"),
    gettext_noop("Shipping total (inc. discounts)"),
    gettext_noop("Shipping total"),
    gettext_noop("Shipping Notes"),
    gettext_noop("Filtering..."),
    gettext_noop("Total inc tax"),
    gettext_noop("No orders match your search."),
    gettext_noop("Edit profile"),
    gettext_noop("Please confirm your password to delete your profile."),
    gettext_noop(
        "\n                This will delete all information about you from the site.  Deleting your profile cannot be\n                undone.\n            "
    ),
    gettext_noop("Delete?"),
    gettext_noop(
        "\n                Are you sure you want to delete %(product_name)s from wish list %(wishlist_name)s?\n            "
    ),
    gettext_noop(
        "\n                                                            Move to '%(name)s' wish list\n                                                        "
    ),
    gettext_noop("What should your new wish list be called?"),
    gettext_noop(
        "\n                    After your wishlist is created, <strong>%(title)s</strong> will be added.\n                "
    ),
    gettext_noop("Share wishlist"),
    gettext_noop(
        "If you want to share your wishlist with others, you can add their email addresses below. The visibility must be set to shared in order for this to work."
    ),
    gettext_noop("Copy sharing link"),
    gettext_noop("You don't have any wish lists yet."),
    gettext_noop("Delete category?"),
    gettext_noop("Search engine optimisation"),
    gettext_noop("View on site"),
    gettext_noop("Edit children"),
    gettext_noop("Delete product type?"),
    gettext_noop("Delete product type"),
    gettext_noop("Product types"),
    gettext_noop("Requires shipping"),
    gettext_noop("Edit product type"),
    gettext_noop("Upselling"),
    gettext_noop("Product Type:"),
    gettext_noop("Low stock threshold"),
    gettext_noop("This is likely because this product still has stock records."),
    gettext_noop("Date alert raised"),
    gettext_noop("Sending..."),
    gettext_noop("Body text"),
    gettext_noop("Total Orders"),
    gettext_noop("New Customers"),
    gettext_noop("Total Customers"),
    gettext_noop("Total Products"),
    gettext_noop("Total orders"),
    gettext_noop("Total lines"),
    gettext_noop("Average order costs"),
    gettext_noop("Total <em>open</em> baskets"),
    gettext_noop("Total customers"),
    gettext_noop("New customers"),
    gettext_noop("Catalogue and stock"),
    gettext_noop("Total products"),
    gettext_noop("<em>Open</em> stock alerts"),
    gettext_noop("<em>Closed</em> stock alerts"),
    gettext_noop("Offers, vouchers"),
    gettext_noop("Log out"),
    gettext_noop("Login"),
    gettext_noop("Number of orders:"),
    gettext_noop("Date created:"),
    gettext_noop("Num of vouchers"),
    gettext_noop("All Offers"),
    gettext_noop("Is available?"),
    gettext_noop("Uses"),
    gettext_noop("Partner notes"),
    gettext_noop("Customer has deleted their account."),
    gettext_noop("Order Total"),
    gettext_noop("Items ordered"),
    gettext_noop("With selected lines"),
    gettext_noop("choose event type"),
    gettext_noop("with reference"),
    gettext_noop("with amount"),
    gettext_noop("Go!"),
    gettext_noop("No notes available."),
    gettext_noop("Save note"),
    gettext_noop("Create new page"),
    gettext_noop("Oops! We found some errors"),
    gettext_noop(
        "\n                        Page %(page_num)s of %(total_pages)s\n                    "
    ),
    gettext_noop("next"),
    gettext_noop("Delete partner"),
    gettext_noop("Manage partner and users"),
    gettext_noop("Create new range"),
    gettext_noop("Num products"),
    gettext_noop("Date uploaded"),
    gettext_noop("Reporting Dashboard"),
    gettext_noop("Reporting dashboard"),
    gettext_noop("Generate report"),
    gettext_noop("General"),
    gettext_noop("Last login"),
    gettext_noop("Products viewed"),
    gettext_noop("Number of orders"),
    gettext_noop("Reviews written"),
    gettext_noop("Bulk Actions"),
    gettext_noop("Make active"),
    gettext_noop("Make inactive"),
    gettext_noop("What you need to do"),
    gettext_noop("There are no site offers at the moment."),
    gettext_noop("Browse products in offer"),
    gettext_noop("Shipping charge (before discounts)"),
    gettext_noop("Shipping charge (after discounts)"),
    gettext_noop("Shipping charge"),
    gettext_noop("Logout"),
    gettext_noop("\n                        Total: %(total)s\n                    "),
    gettext_noop("Your password has been set.  You may go ahead and log in now."),
    gettext_noop("Enter a new password"),
    gettext_noop(
        "Please enter your new password twice so we can verify you typed it in correctly."
    ),
    gettext_noop("Change my password"),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been used.  Please request a new password reset."
    ),
    gettext_noop(
        "Forgotten your password? Enter your e-mail address below, and we'll e-mail instructions for setting a new one."
    ),
    gettext_noop("Refine your search"),
    gettext_noop("This wish list is empty."),
)

OSCAR_PLURAL_MESSAGES = (
    ngettext_lazy(
        "Buy %(delta)d more product from %(range)s",
        "Buy %(delta)d more products from %(range)s",
        "count",
    ),
    ngettext_lazy(
        "\n                    <strong>%(num_results)s</strong> result - showing <strong>%(start)s</strong> to <strong>%(end)s</strong>.\n                ",
        "\n                    <strong>%(num_results)s</strong> results - showing <strong>%(start)s</strong> to <strong>%(end)s</strong>.\n                ",
        "count",
    ),
    ngettext_lazy(
        "\n                    <strong>%(num_results)s</strong> result.\n                ",
        "\n                    <strong>%(num_results)s</strong> results.\n                ",
        "count",
    ),
    ngettext_lazy(
        "\n                    %(num_reviews)s customer review\n                ",
        "\n                    %(num_reviews)s customer reviews\n                ",
        "count",
    ),
)
