"""Request checks that apply before any view."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

from backend.errors import TooManyFailedSignIns
from backend.throttles import too_many_requests

NUL_REFUSED = "Null characters are not allowed."

logger = logging.getLogger(__name__)


class RefuseNulMiddleware:
    """A NUL character in the query string reaches no view: PostgreSQL refuses it in any query
    (a 500 it would be), and no value of ours holds one. Bodies are checked by the JSON parser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = [
            name
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        ]
        if not bad:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {name.replace("\x00", "") or "query": [NUL_REFUSED] for name in bad}, status=400
            )
        return HttpResponseBadRequest(NUL_REFUSED)


class RefuseOversizedBodyMiddleware:
    """A body over `DATA_UPLOAD_MAX_MEMORY_SIZE` is refused with 413 before anything reads it:
    JSON under /api/, the site's page elsewhere. (Django would raise on the first read, from the
    CSRF check, a parser or a form: an HTML 400 wherever that happened.) Nothing of ours takes
    file uploads, so one limit holds for every body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if limit is None or length <= limit:
            return self.get_response(request)
        logger.warning("Refused a body of %d bytes to %s (limit %d)", length, request.path, limit)
        most = f"{limit / 2**20:g} MB"
        if request.path.startswith("/api/"):
            detail = f"The request body is larger than {most}, the most this API accepts."
            return JsonResponse({"detail": detail, "code": "too_large"}, status=413)
        return render(request, "413.html", {"most": most}, status=413)


class FailedSignInsMiddleware:
    """A sign-in page (/login/, the admin's) whose account must wait answers 429 with
    `Retry-After` and a page saying how long (the API answers it in its exception handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TooManyFailedSignIns):
            return too_many_requests(request, exception.wait, reason=exception.message)
        return None
