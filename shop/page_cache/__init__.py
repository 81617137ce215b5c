"""Whole storefront pages served to visitors from the cache, with per-request holes.

A page is rendered once for every visitor of the same URL, language and content versions;
the parts that differ per request (basket summary, CSRF token, messages, the recently viewed
products) are *holes*: the cached HTML holds a placeholder for each, and serving the page
fills them in for the request at hand. ``holes`` is the registry and the placeholder format,
``selectors`` builds the key, ``middleware`` serves and stores pages, ``storefront_holes``
registers the store's holes.

It is an app of its own because it ships the ``page_hole`` template tag and the context
processor that turns ``{% csrf_token %}`` into a hole, and because it is the storefront's
machinery rather than part of any one Oscar or Wagtail app.
"""
