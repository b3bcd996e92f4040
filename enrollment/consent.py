"""The consent disclosures shown on the application form, versioned: a change of words gets a new
version, and each ConsentRecord keeps the exact text that the person saw.

Texts about the applicant's own application have their own box; the other three are marketing.
Email about the application needs no box: it always goes to the address given."""

from django.conf import settings

from enrollment.models import Channel

DISCLOSURE_VERSION = "2026-12-v2"

_DISCLOSURES = {
    Channel.UPDATES_SMS: (
        "Text me about my application. I agree that {school} may text me at the mobile "
        "number I gave about my own application and, if I enroll, my classes, externship "
        "and job search (offers, deadlines, reminders), including by automated means. "
        "Consent is not a condition of applying or enrolling. Msg frequency varies. "
        "Msg & data rates may apply. Reply STOP to stop, HELP for help."
    ),
    Channel.SMS: (
        "I agree that {school} may send me marketing text messages (news about its programs, "
        "classes and events) at the mobile number I gave, including by automated means. "
        "Consent is not a condition of applying or enrolling. Msg frequency varies. "
        "Msg & data rates may apply. Reply STOP to stop, HELP for help."
    ),
    Channel.EMAIL: (
        "I agree that {school} may email me news about its programs, classes and events. "
        "Consent is not a condition of applying or enrolling. I may withdraw it at any time."
    ),
    Channel.PHONE: (
        "I agree that {school} may call me at the number I gave with news about its "
        "programs, classes and events, including by automated means. Consent is not a "
        "condition of applying or enrolling. I may withdraw it at any time."
    ),
}


def disclosure(channel: str) -> str:
    return _DISCLOSURES[Channel(channel)].format(school=settings.SITE_NAME)
