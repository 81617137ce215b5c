"""The Content-Security-Policy's directives, built from where Stripe lives.

A function rather than a literal in settings so that a test server whose Stripe URLs change at
run time (the browser tests' localstripe on a free port) can build the very policy production
would send for those URLs, instead of a hand-written copy.
"""

from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(*, stripe_js_url: str, stripe_api_base: str) -> dict:
    """django-csp's CONTENT_SECURITY_POLICY for our own origin plus Stripe's (or localstripe's)."""
    stripe_js_origin = _origin(stripe_js_url)
    stripe_frames = [stripe_js_origin]
    if stripe_js_origin == "https://js.stripe.com":
        stripe_frames.append("https://hooks.stripe.com")
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            # Only Stripe's script comes from elsewhere: jQuery is ours (templates/oscar/base.html).
            "script-src": [SELF, UNSAFE_INLINE, stripe_js_origin],
            "style-src": [SELF, UNSAFE_INLINE],
            # Wagtail's admin shows data:/blob: image previews.
            "img-src": [SELF, "data:", "blob:"],
            "font-src": [SELF, "data:"],
            "connect-src": [SELF, _origin(stripe_api_base), stripe_js_origin],
            "frame-src": [SELF, *stripe_frames],
            # Wagtail's live preview frames our own pages (see X_FRAME_OPTIONS).
            "frame-ancestors": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
        }
    }
