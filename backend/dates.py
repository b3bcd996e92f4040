"""Dates and times as the school writes them to people, in US style: "February 1, 2027",
"Monday, February 1, 2027", "2:30 p.m.". Every page, email, text and message says a day or a
time through these (templates through the `dates` filters: `{% load dates %}`); machine places
(the API, CSV, form input values, .ics) keep ISO 8601.

A datetime is shown in the current time zone: the school's (`TIME_ZONE`) on pages, the
recipient's inside `timezone.override(...)` when a message is written in their zone. Pass
`zone=True` wherever the reader might take the time for another zone's (an email in the
recipient's zone, a deadline): "2:30 p.m. EST"."""

from datetime import date, datetime, time

from django.utils import dateformat, timezone

DAY = "F j, Y"  # February 1, 2027
LONG_DAY = "l, F j, Y"  # Monday, February 1, 2027
TIME = "g:i a"  # 2:30 p.m.
# Compact forms, for lists that must stay short (the caseload's flags, texts, log cards).
SHORT_DAY = "M j"  # Feb 1
SHORT_WEEKDAY = "D, M j"  # Mon, Feb 1
ZONE = "T"  # EST


def _local(value: date) -> date:
    """An aware datetime in the current zone; a date, or a naive datetime, as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day(value: date) -> str:
    """ "February 1, 2027"."""
    return dateformat.format(_local(value), DAY)


def long_day(value: date) -> str:
    """ "Monday, February 1, 2027"."""
    return dateformat.format(_local(value), LONG_DAY)


def short_day(value: date, *, weekday: bool = False) -> str:
    """ "Feb 1", or with its weekday "Mon, Feb 1": where a list must stay compact."""
    return dateformat.format(_local(value), SHORT_WEEKDAY if weekday else SHORT_DAY)


def time_of_day(value: datetime | time, *, zone: bool = False) -> str:
    """ "2:30 p.m." (a datetime in the current zone; "2:30 p.m. EST" with `zone`)."""
    if isinstance(value, time):
        return dateformat.time_format(value, TIME)
    return dateformat.format(_local(value), f"{TIME} {ZONE}" if zone else TIME)


def moment(value: datetime, *, zone: bool = False) -> str:
    """ "February 1, 2027, 2:30 p.m." (with `zone`, "... 2:30 p.m. EST")."""
    return f"{day(value)}, {time_of_day(value, zone=zone)}"


def long_moment(value: datetime, *, zone: bool = False) -> str:
    """ "Monday, February 1, 2027, 2:30 p.m." (with `zone`, "... 2:30 p.m. EST")."""
    return f"{long_day(value)}, {time_of_day(value, zone=zone)}"


def short_moment(value: datetime, *, zone: bool = False) -> str:
    """ "Mon, Feb 1, 2:30 p.m." (with `zone`, "... 2:30 p.m. EST"): texts and compact lists."""
    return f"{short_day(value, weekday=True)}, {time_of_day(value, zone=zone)}"
