"""Uploads (product pictures, CMS images) are served from our own host with DEBUG off.

Each case runs Django in a fresh interpreter with production's variables, as gunicorn would,
because the URLconf decides at import time whether it routes MEDIA_URL; the probe calls the
view MEDIA_URL resolves to, so it needs no database.
"""

import json

from tests.unit.health.test_production_settings import PRODUCTION_ENV, run_django

MEDIA_PROBE = """
import json, django
django.setup()
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve

def fetch(path):
    try:
        match = resolve(path)
    except Resolver404:
        return [None, 404]
    view = f"{match.func.__module__}.{match.func.__name__}"
    if view != "django.views.static.serve":
        return [view, ""]
    try:
        response = match.func(RequestFactory().get(path), *match.args, **match.kwargs)
    except Http404:
        return [view, 404]
    return [view, b"".join(response.streaming_content).hex()]

print(json.dumps({
    "picture": fetch("/media/images/apple.png"),
    "missing": fetch("/media/images/pear.png"),
}))
"""
PICTURE = b"\x89PNG not really a picture"


def _probe(tmp_path, **env) -> dict:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "apple.png").write_bytes(PICTURE)
    result = run_django(
        ["-c", MEDIA_PROBE],
        {**PRODUCTION_ENV, "MEDIA_ROOT": str(tmp_path), **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_serves_uploaded_pictures_from_our_host(tmp_path):
    probe = _probe(tmp_path)

    assert probe["picture"] == ["django.views.static.serve", PICTURE.hex()]
    assert probe["missing"] == ["django.views.static.serve", 404]


def test_a_deployment_whose_proxy_serves_media_turns_it_off(tmp_path):
    probe = _probe(tmp_path, SERVE_MEDIA="False")

    assert probe["picture"][0] != "django.views.static.serve"
