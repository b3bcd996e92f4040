from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backend.api import TokenRateThrottle
from backend.throttles import throttled
from documents.selectors import certificate_by_code


@throttled(TokenRateThrottle, methods=("GET",))
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the holder, program and completion date of a certificate, and nothing more; a
    revoked certificate says so, an unknown code is a 404. Throttled like the other pages a
    secret in the address opens, so codes cannot be guessed in bulk."""
    certificate = certificate_by_code(code)
    context = {"certificate": certificate, "code": code}
    return render(request, "documents/verify.html", context, status=200 if certificate else 404)
