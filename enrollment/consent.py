"""The consent disclosures shown on the application form, versioned: a change of words gets a new
version, and each ConsentRecord keeps the exact text that the person saw."""

from django.conf import settings

from enrollment.models import Channel

DISCLOSURE_VERSION = "2026-11-v1"

_DISCLOSURES = {
    Channel.SMS: (
        "I agree that {school} may send me text messages about my application, classes, "
        "externship and job search at the mobile number I gave, including by automated "
        "means. Consent is not a condition of applying or enrolling. Msg frequency varies. "
        "Msg & data rates may apply. Reply STOP to stop, HELP for help."
    ),
    Channel.EMAIL: (
        "I agree that {school} may email me about my application, classes, externship and "
        "job search. Consent is not a condition of applying or enrolling. Every email has "
        "a link to unsubscribe."
    ),
    Channel.PHONE: (
        "I agree that {school} may call me at the number I gave about my application, "
        "classes, externship and job search, including by automated means. Consent is not "
        "a condition of applying or enrolling."
    ),
}


def disclosure(channel: str) -> str:
    return _DISCLOSURES[Channel(channel)].format(school=settings.SITE_NAME)
