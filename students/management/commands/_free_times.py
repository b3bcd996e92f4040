"""The demo coach's free times, so that the demo student can book a session from `/me/`: the
next five weekdays at 10:00, 10:30, 14:00 and 14:30, half an hour each. Found by their start
before they are made, so running the seed again the same day adds nothing."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from coaching.models import OpenSlot

CLOCK = [time(10, 0), time(10, 30), time(14, 0), time(14, 30)]
WEEKDAYS = 5


def seed_free_times(coach: User, today: date) -> int:
    """Offer the coach's demo free times from tomorrow on; returns how many were new."""
    days, day = [], today
    while len(days) < WEEKDAYS:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    added = 0
    for day in days:
        for clock in CLOCK:
            starts_at = timezone.make_aware(datetime.combine(day, clock))
            _, created = OpenSlot.objects.get_or_create(
                coach=coach, starts_at=starts_at, defaults={"duration_minutes": 30}
            )
            added += created
    return added
