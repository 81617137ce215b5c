"""Public views behind the links of a campaign email; thin callers of the services."""

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from marketing import links, services

# The smallest transparent GIF: what mail clients load for "opened".
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
def open_pixel(request, token: str):
    recipient_id = links.open_token_read(token)
    if recipient_id is not None:
        services.campaign_open_record(recipient_id=recipient_id)
    # Always the image: a broken token must not show a broken picture in the email.
    return HttpResponse(PIXEL_GIF, content_type="image/gif")


@never_cache
def click_redirect(request):
    read = links.click_token_read(request.GET.get("t", ""))
    if read is None:
        raise Http404
    recipient_id, target = read
    services.campaign_click_record(recipient_id=recipient_id)
    # The target was signed into the token, so it is a link the email contained; still only
    # web links are followed (never a javascript: or mailto: href from the body).
    if not target.startswith(("http://", "https://")):
        raise Http404
    return HttpResponseRedirect(target)


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    user_id = links.unsubscribe_token_read(token)
    if user_id is None:
        return render(request, "marketing/unsubscribe.html", {"invalid": True}, status=400)
    # GET only asks: mail scanners follow links, and must not unsubscribe anyone.
    done = False
    if request.method == "POST":
        services.marketing_unsubscribe(user_id=user_id)
        done = True
    return render(request, "marketing/unsubscribe.html", {"done": done, "token": token})
