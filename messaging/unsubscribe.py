"""One-click unsubscribe from marketing email (RFC 8058): every marketing email carries a signed
link to `/unsubscribe/<token>/`, in its `List-Unsubscribe` header and in its footer. A POST to it,
without signing in (the mail client's one-click, or the button on the page a GET shows), revokes
the address's consent to marketing email with a new consent record. Transactional email has no
such link: it is about the person's own application, studies, account or work."""

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from messaging.consent import ConsentChannel, consent_store

SALT = "messaging.unsubscribe"
SOURCE = "email unsubscribe link"
WORDS = "Unsubscribed from marketing email with the link in an email."


def unsubscribe_url(address: str) -> str:
    """The address's own unsubscribe link; it never expires."""
    token = signing.dumps(address.strip().lower(), salt=SALT, compress=True)
    return settings.SITE_URL + reverse("unsubscribe", args=[token])


def unsubscribe_headers(address: str) -> dict[str, str]:
    """The headers that let a mail client offer "Unsubscribe" and do it with one POST."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(address)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribing_address(token: str) -> str | None:
    """The address a link was made for, or None for a link we did not sign."""
    try:
        address = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return address if isinstance(address, str) and address else None


def unsubscribe(*, address: str, now: datetime | None = None) -> bool:
    """Revoke the address's consent to marketing email, unless it is revoked already; returns
    whether anything changed. A new record even for an address never seen, kept as evidence."""
    store = consent_store()
    current = store.live(channel=ConsentChannel.EMAIL, address=address)
    if current is not None and not current.granted:
        return False
    store.record(
        channel=ConsentChannel.EMAIL,
        address=address,
        granted=False,
        text=WORDS,
        source=SOURCE,
        at=now or timezone.now(),
    )
    return True
