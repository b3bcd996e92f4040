"""The client's address, read one way for throttles, idempotency keys and consent evidence."""

from ipaddress import ip_address

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.settings import api_settings


def client_address(request: HttpRequest | Request) -> str | None:
    """Who sent the request: behind `TRUSTED_PROXIES` proxies, the X-Forwarded-For entry the
    nearest of them wrote (what the client sends itself is further left); otherwise REMOTE_ADDR.
    None when that is not an IP address."""
    address = request.META.get("REMOTE_ADDR")
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = forwarded.split(",")
        address = addresses[-min(proxies, len(addresses))].strip()
    try:
        return str(ip_address(address)) if address else None
    except ValueError:
        return None
