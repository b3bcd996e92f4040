"""The API's throttles on the server-rendered pages: the same scopes, counts and shared cache, so
that applying through the form and through the API draw on one allowance per client address."""

import hashlib
from collections.abc import Callable
from functools import wraps
from math import ceil

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from rest_framework.throttling import SimpleRateThrottle

View = Callable[..., HttpResponse]


class PasswordResetEmailThrottle(SimpleRateThrottle):
    """Password-reset emails asked for one address (the form's `email`), from anywhere: nobody
    floods a mailbox by asking from many client addresses. Known and unknown addresses count
    alike, so the limit tells nothing about who has an account. Used through `quietly_limited`:
    a 429 here would let anyone lock the owner out of their own reset."""

    scope = "password_reset"

    def get_cache_key(self, request: HttpRequest, view: object) -> str | None:
        email = request.POST.get("email", "").strip().lower()
        if not email:
            return None
        ident = hashlib.sha256(email.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


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


def quietly_limited(
    throttle_class: type[SimpleRateThrottle], *, answer: str
) -> Callable[[View], View]:
    """Past the allowance, skip the view and redirect to `answer`, as if it had run: for a limit
    that others could spend on someone's behalf (the links already sent still work)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "POST" and not throttle_class().allow_request(request, None):
                return redirect(answer)
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
