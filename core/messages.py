"""Refusals shown to the person who asked, one message each.

A view calls a service and shows what the service refused, or what a form found wrong, as
Django messages on the page it redirects to.
"""

from collections.abc import Iterable, Mapping

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def messages_add_errors(
    request: HttpRequest,
    *,
    errors: ValidationError | PermissionDenied | Mapping[str, Iterable[str]],
) -> None:
    """Add an error message for each of ``errors``.

    ``errors`` is a service's ``ValidationError`` (each of its messages), a ``PermissionDenied``
    a service raised with the sentence to show, or a bound form's ``errors`` (every field's).
    """
    if isinstance(errors, ValidationError):
        texts = errors.messages
    elif isinstance(errors, PermissionDenied):
        texts = [str(errors)]
    else:
        texts = [text for field_errors in errors.values() for text in field_errors]
    for text in texts:
        messages.error(request, text)
