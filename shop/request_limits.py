"""A cap on the size of a request body, checked before anything reads it.

Django limits the non-file part of a form (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded
files: those are streamed to a temporary file whatever their size, and gunicorn sets no limit
either. Without this cap one request could fill the disk before any form says "too large".
The cap sits above the largest upload we accept (Wagtail images, 10 MB), so the forms' own
limits still give their clearer, field-level messages.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(_("The request has an invalid length."), status=400)
        if length > settings.REQUEST_MAX_BYTES:
            message = _("The request is too large (at most %(limit)s MB).") % {
                "limit": settings.REQUEST_MAX_BYTES // (1024 * 1024)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
