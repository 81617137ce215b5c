"""One page: ``/`` answers a fixed 3 kB HTML document, built once at import: no template, no
query, so the ceiling is Django's request cycle and gunicorn alone."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

BODY_BYTES = 3 * 1024
_HEAD = "<!doctype html><html><head><title>bare</title></head><body><p>"
_TAIL = "</p></body></html>"
PAGE = (_HEAD + "x" * (BODY_BYTES - len(_HEAD) - len(_TAIL)) + _TAIL).encode()


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
