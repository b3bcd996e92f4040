"""The unsubscribe page of marketing email (messaging.unsubscribe): a GET asks, a POST does it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from backend.api import TokenRateThrottle
from backend.throttles import throttled
from messaging.unsubscribe import unsubscribe, unsubscribing_address


# A mail client's one-click POST (RFC 8058) has no session and no CSRF token; the signed address
# in the link is what authorises it. It is not throttled: after a mailing, many people's POSTs
# come from a few mail providers' servers, and a repeat writes nothing.
@csrf_exempt
@throttled(TokenRateThrottle, methods=("GET",))
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    address = unsubscribing_address(token)
    if address is None:
        return render(request, "messaging/unsubscribe_invalid.html", status=403)
    if request.method == "POST":
        unsubscribe(address=address)
        return render(request, "messaging/unsubscribed.html", {"address": address})
    return render(request, "messaging/unsubscribe.html", {"address": address})
