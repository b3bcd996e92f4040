"""The site's own pages for 400, 403, 404 and 500 and for a form whose CSRF check failed, in the
site's layout with a way home; JSON under /api/, as the rest of the API answers."""

import sys

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from backend.outage import answer as outage_answer
from backend.outage import is_outage

API_PREFIX = "/api/"


def _api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


# The handlers can run before CsrfViewMiddleware did (an error in an earlier middleware); the
# header's sign-out form needs the token, hence @requires_csrf_token.
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            body = {"detail": "The request has more fields than we accept.", "code": "too_many"}
            return JsonResponse(body, status=400)
        return _api_error("Bad request.", 400)
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error("You do not have permission to perform this action.", 403)
    return render(request, "403.html", status=403)


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error("Not found.", 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the context processors: the database or the session may be what
    failed, so the page reads nothing but settings (and the request's CSP nonce). A database
    outage answers 503 instead (backend.outage)."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        return outage_answer(request, exc)
    if request.path.startswith(API_PREFIX):
        return _api_error("A server error occurred.", 500)
    context = {
        "request": request,
        "site_name": settings.SITE_NAME,
        "contact_email": settings.DEFAULT_FROM_EMAIL,
    }
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (it sat open too long, or cookies
    are blocked), never Django's bare "403 Forbidden"."""
    return render(request, "403_csrf.html", status=403)
