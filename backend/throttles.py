"""The API's throttles on the server-rendered pages: the same scopes, counts and shared cache, so
that applying through the form and through the API draw on one allowance per client address."""

from collections.abc import Callable
from functools import wraps
from math import ceil

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

View = Callable[..., HttpResponse]


def throttled(
    throttle_class: type[SimpleRateThrottle], *, methods: tuple[str, ...]
) -> Callable[[View], View]:
    """Answer 429 with a page saying how long to wait once a client spends its allowance."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in methods or (request.method == "HEAD" and "GET" in methods):
                throttle = throttle_class()
                if not throttle.allow_request(request, None):
                    return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(
    request: HttpRequest, wait: float | None, *, reason: str | None = None
) -> HttpResponse:
    """The 429 page; `reason` replaces its words about too many requests from the network."""
    seconds = ceil(wait or 60)
    context = {"minutes": ceil(seconds / 60), "reason": reason}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
