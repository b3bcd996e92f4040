from collections.abc import Iterator
from datetime import datetime

import pytest
from django.utils import timezone

from enrollment.models import ConsentRecord
from messaging.backends import locmem

SECRET = "test-webhook-secret"


@pytest.fixture(autouse=True)
def _texts_in_memory(settings: object) -> Iterator[list[locmem.SentText]]:
    """Texts land in `locmem.outbox`, emptied for each test; inbound ones are signed with SECRET."""
    settings.SMS_BACKEND = "locmem"
    settings.SMS_WEBHOOK_SECRET = SECRET
    settings.TIME_ZONE = "America/New_York"
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


@pytest.fixture
def texts() -> list[locmem.SentText]:
    return locmem.outbox


def consent(channel: str, address: str, *, granted: bool = True, at: datetime | None = None):
    return ConsentRecord.objects.create(
        channel=channel,
        address=address,
        granted=granted,
        disclosure_text="I agree to texts. Reply STOP to stop.",
        disclosure_version="test",
        at=at or timezone.now(),
    )
