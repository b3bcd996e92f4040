"""Coaching sessions as iCalendar: one .ics per session and a feed per coach, which calendar
apps fetch without a login through a signed address."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from icalendar import Calendar, Event

from accounts.models import User
from coaching.models import CoachingSession, SessionStatus

FEED_SALT = "coaching.calendar-feed"


def feed_token(coach: User) -> str:
    return signing.dumps(coach.pk, salt=FEED_SALT)


def feed_coach(token: str) -> User | None:
    """The coach a feed address belongs to, or None for a forged one."""
    try:
        pk = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def to_ics(sessions: list[CoachingSession], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//coaching//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        event = Event()
        event.add("uid", f"coaching-session-{session.pk}@{settings.SITE_NAME.lower()}")
        event.add("dtstamp", session.created_at)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
        event.add("summary", f"{session.get_kind_display()}: {session.student}")
        event.add(
            "status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED"
        )
        if session.next_step:
            event.add("description", f"Next step: {session.next_step}")
        calendar.add_component(event)
    return calendar.to_ical()
