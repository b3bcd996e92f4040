"""When a text may go: 8 a.m. to 9 p.m. in the recipient's time zone, and for marketing texts to a
state with a stricter law, until that state's closing hour.

The recipient's zone is the one on their record, else the one their number's area code gives (a
(808) number is Hawaii), else the school's."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.conf import settings
from phonenumbers import timezone as phone_zones

from accounts.models import User

WINDOW_OPENS, WINDOW_CLOSES = time(8), time(21)

# States whose telephone solicitation acts end marketing texts at 8 p.m., with their area codes:
# a number's state is its area code's (PRODUCT.md), since we do not know where the person is.
MARKETING_CLOSES_EARLY: dict[str, tuple[time, frozenset[int]]] = {
    "Florida": (
        time(20),
        frozenset(
            {239, 305, 321, 324, 352, 386, 407, 448, 561, 645, 656, 689}
            | {727, 728, 754, 772, 786, 813, 850, 863, 904, 941, 954}
        ),
    ),
    "Oklahoma": (time(20), frozenset({405, 539, 572, 580, 918})),
}


def recipient_zone(recipient: User | None, number: object = "") -> ZoneInfo:
    """The zone on the recipient's record, else their number's area code's, else the school's."""
    if recipient is not None and recipient.time_zone:
        try:
            return ZoneInfo(recipient.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return number_zone(number) or ZoneInfo(settings.TIME_ZONE)


def number_zone(number: object) -> ZoneInfo | None:
    """The zone a phone number's area code gives, or None when it gives none. Where it gives
    several (Idaho, a toll-free number), the school's zone if it is one of them, else the first
    by name: the same answer every time."""
    parsed = _parse(number)
    if parsed is None:
        return None
    names = sorted(set(phone_zones.time_zones_for_number(parsed)) - {phone_zones.UNKNOWN_TIMEZONE})
    if not names:
        return None
    return ZoneInfo(settings.TIME_ZONE if settings.TIME_ZONE in names else names[0])


def marketing_closes(number: object) -> time:
    """When marketing texts to this number must stop: earlier in a state that says so."""
    parsed = _parse(number)
    if parsed is not None and parsed.country_code == 1:
        area_code = parsed.national_number // 10**7  # NANP: 3-digit area code, 7 digits
        for closes, area_codes in MARKETING_CLOSES_EARLY.values():
            if area_code in area_codes:
                return closes
    return WINDOW_CLOSES


def window_opening(now: datetime, zone: ZoneInfo, closes: time = WINDOW_CLOSES) -> datetime | None:
    """None while it is 8:00 to `closes` (9 p.m.) in the zone; otherwise the next 8:00 there, in
    UTC.

    Wall-clock hours, so a DST change moves the window with the clock; 8:00 always exists."""
    local = now.astimezone(zone)
    if WINDOW_OPENS <= local.time() < closes:
        return None
    day = local.date() if local.time() < WINDOW_OPENS else local.date() + timedelta(days=1)
    return datetime.combine(day, WINDOW_OPENS, tzinfo=zone).astimezone(UTC)


def _parse(number: object) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(str(number or ""), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
