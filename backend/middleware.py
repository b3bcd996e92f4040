"""Request checks that apply before any view."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL_REFUSED = "Null characters are not allowed."


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
