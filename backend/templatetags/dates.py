"""The template side of `backend.dates`: `{% load dates %}`, then `{{ d|day }}`,
`{{ d|long_day }}`, `{{ d|short_day }}` (`:"weekday"` adds it), `{{ t|time_of_day }}`,
`{{ dt|moment }}`, `{{ dt|long_moment }}`, `{{ dt|short_moment }}` (each `:"zone"` adds the time
zone); `{{ dt|iso_moment }}` for a `<time datetime>`. An empty value reads as nothing, as with
Django's `date` filter."""

from collections.abc import Callable
from datetime import date, datetime, time

from django import template

from backend import dates

register = template.Library()


def _either(flag: str, expected: str) -> bool:
    if flag not in ("", expected):
        raise template.TemplateSyntaxError(f'This filter takes "{expected}" or nothing.')
    return flag == expected


def _blank_if_empty(show: Callable[..., str]) -> Callable[..., str]:
    def shown(value: date | time | None, flag: str = "") -> str:
        return show(value, flag) if value not in (None, "") else ""

    shown.__name__ = show.__name__
    return shown


@register.filter(expects_localtime=True)
@_blank_if_empty
def day(value: date, flag: str = "") -> str:
    return dates.day(value)


@register.filter(expects_localtime=True)
@_blank_if_empty
def long_day(value: date, flag: str = "") -> str:
    return dates.long_day(value)


@register.filter(expects_localtime=True)
@_blank_if_empty
def short_day(value: date, flag: str = "") -> str:
    return dates.short_day(value, weekday=_either(flag, "weekday"))


@register.filter(expects_localtime=True)
@_blank_if_empty
def time_of_day(value: datetime | time, flag: str = "") -> str:
    return dates.time_of_day(value, zone=_either(flag, "zone"))


@register.filter(expects_localtime=True)
@_blank_if_empty
def moment(value: datetime, flag: str = "") -> str:
    return dates.moment(value, zone=_either(flag, "zone"))


@register.filter(expects_localtime=True)
@_blank_if_empty
def long_moment(value: datetime, flag: str = "") -> str:
    return dates.long_moment(value, zone=_either(flag, "zone"))


@register.filter(expects_localtime=True)
@_blank_if_empty
def short_moment(value: datetime, flag: str = "") -> str:
    return dates.short_moment(value, zone=_either(flag, "zone"))


@register.filter(expects_localtime=True)
@_blank_if_empty
def iso_moment(value: datetime, flag: str = "") -> str:
    """For machines: ISO 8601 to the second, with the offset (a `datetime` attribute allows at
    most three digits of a second, and Django's `date:"c"` writes six)."""
    return value.replace(microsecond=0).isoformat()
