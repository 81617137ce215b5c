"""Static files storage for production (DEBUG=False): WhiteNoise's hashed, compressed files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage that leaves JavaScript source-map comments alone.

    Vendored minified scripts (Chart.js under static/vendor/) end with a ``sourceMappingURL``
    comment naming a .map file their vendors do not ship; the manifest storage would fail the
    whole ``collectstatic`` on it. Source maps only serve browser dev tools, so JavaScript
    files are copied and hashed without rewriting that comment; CSS ``url()`` and ``@import``
    references are still rewritten to the hashed names.
    """

    patterns = tuple(
        (extension, rules)
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
        if extension != "*.js"
    )
