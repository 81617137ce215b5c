from shop.page_cache.holes import page_cache_rendering, page_hole_placeholder


def csrf_token_hole(request):
    """While a page is rendered for the cache, ``{% csrf_token %}`` prints the token's hole.

    Listed after Django's built-in CSRF processor, so its ``csrf_token`` wins; the token is a
    safe string, so the tag prints the placeholder unescaped inside the input's value.
    """
    if page_cache_rendering(request=request):
        return {"csrf_token": page_hole_placeholder(name="csrf_token")}
    return {}
