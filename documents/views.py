from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from documents.selectors import certificate_by_code


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the holder, program and completion date of a certificate, and nothing more; a
    revoked certificate says so, an unknown code is a 404."""
    certificate = certificate_by_code(code)
    context = {"certificate": certificate, "code": code}
    return render(request, "documents/verify.html", context, status=200 if certificate else 404)
