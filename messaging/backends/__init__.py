"""Texts leave through a backend chosen by SMS_BACKEND, the way Django picks an email backend:
`console`, `file`, `locmem` (tests), `twilio`, or a dotted path to a class."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from messaging.backends.base import SMSBackend, SMSError

BACKENDS = {
    "console": "messaging.backends.console.ConsoleBackend",
    "file": "messaging.backends.filebased.FileBackend",
    "locmem": "messaging.backends.locmem.LocmemBackend",
    "twilio": "messaging.backends.twilio.TwilioBackend",
}

__all__ = ["SMSBackend", "SMSError", "get_backend"]


def get_backend() -> SMSBackend:
    name = settings.SMS_BACKEND
    path = BACKENDS.get(name, name)
    try:
        backend_class = import_string(path)
    except ImportError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={name!r}: expected one of {', '.join(BACKENDS)} or a dotted path"
        ) from None
    return backend_class()
