"""Typed readers for settings that come from the environment; each refuses a bad value loudly."""

import ipaddress
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def envint(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at most {maximum}")
    return value


def web_timeout() -> int:
    """`WEB_TIMEOUT`: seconds before gunicorn restarts a stuck worker, so no request lives longer.
    Read here for both gunicorn (backend/gunicorn.conf.py) and the settings."""
    return envint("WEB_TIMEOUT", 30, minimum=1)


def local_host(host: str) -> bool:
    """Whether a URL's host is this machine (or no machine): nobody outside can reach it."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envrate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as `20/hour`, or None for `off`."""
    raw = envstr(name, default).strip().lower()
    if raw == "off":
        return None
    count, _, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in {"second", "minute", "hour", "day"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected N/second, N/minute, N/hour, N/day or off"
        )
    return raw


EMAIL_SCHEMES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    host: str
    port: int
    user: str
    password: str
    use_tls: bool
    use_ssl: bool


def email_settings(url: str) -> EmailSettings:
    """Django's email settings from a URL such as `smtp+tls://user:pass@host:587`."""
    parts = urlparse(url)
    if parts.scheme not in EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {parts.scheme!r}: expected one of {', '.join(EMAIL_SCHEMES)}"
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port is not a number") from None
    default_port = {"smtp+ssl": 465, "smtp+tls": 587}.get(parts.scheme, 25)
    return EmailSettings(
        backend=EMAIL_SCHEMES[parts.scheme],
        host=parts.hostname or "localhost",
        port=port or default_port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=parts.scheme == "smtp+tls",
        use_ssl=parts.scheme == "smtp+ssl",
    )
