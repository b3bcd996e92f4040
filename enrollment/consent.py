"""Consent as enrollment keeps it. The disclosures shown on the application form are versioned: a
change of words gets a new version, and each ConsentRecord keeps the exact text that the person
saw. Messaging reads and adds records through ConsentRecordStore (MESSAGING_CONSENT_STORE).

Texts about the applicant's own application have their own box; the other three are marketing.
Email about the application needs no box: it always goes to the address given."""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from enrollment.models import ConsentRecord
from messaging.consent import ConsentChannel, ConsentStore

DISCLOSURE_VERSION = "2026-12-v2"

_DISCLOSURES = {
    ConsentChannel.UPDATES_SMS: (
        "Text me about my application. I agree that {school} may text me at the mobile "
        "number I gave about my own application and, if I enroll, my classes, externship "
        "and job search (offers, deadlines, reminders), including by automated means. "
        "Consent is not a condition of applying or enrolling. Msg frequency varies. "
        "Msg & data rates may apply. Reply STOP to stop, HELP for help."
    ),
    ConsentChannel.SMS: (
        "I agree that {school} may send me marketing text messages (news about its programs, "
        "classes and events) at the mobile number I gave, including by automated means. "
        "Consent is not a condition of applying or enrolling. Msg frequency varies. "
        "Msg & data rates may apply. Reply STOP to stop, HELP for help."
    ),
    ConsentChannel.EMAIL: (
        "I agree that {school} may email me news about its programs, classes and events. "
        "Consent is not a condition of applying or enrolling. I may withdraw it at any time."
    ),
    ConsentChannel.PHONE: (
        "I agree that {school} may call me at the number I gave with news about its "
        "programs, classes and events, including by automated means. Consent is not a "
        "condition of applying or enrolling. I may withdraw it at any time."
    ),
}


def disclosure(channel: str) -> str:
    return _DISCLOSURES[ConsentChannel(channel)].format(school=settings.SITE_NAME)


class ConsentRecordStore(ConsentStore):
    """Messaging's consent, kept as ConsentRecords: a new record for every change, never an edit."""

    def live(self, *, channel: str, address: str) -> ConsentRecord | None:
        return _records(channel, address).order_by("-at", "-id").first()

    def ever_granted(self, *, channel: str, address: str) -> bool:
        return _records(channel, address).filter(granted=True).exists()

    def record(
        self, *, channel: str, address: str, granted: bool, text: str, source: str, at: datetime
    ) -> None:
        # A text keyword stays linked to the application that the live record came from.
        application_id = (
            _records(channel, address)
            .order_by("-at", "-id")
            .values_list("application_id", flat=True)
            .first()
        )
        ConsentRecord.objects.create(
            application_id=application_id,
            channel=channel,
            address=address,
            granted=granted,
            disclosure_text=text.strip()[:1600],
            disclosure_version=source,
            at=at,
            source_page=source,
        )


def _records(channel: str, address: str) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(channel=channel, address=address)
