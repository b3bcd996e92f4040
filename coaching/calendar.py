"""Coaching sessions as iCalendar: one .ics per session and a feed per coach, which calendar
apps fetch without a login through a signed address.

Both are published calendars (METHOD:PUBLISH), added from a file or subscribed to, not emailed
invitations (REQUEST, CANCEL), which would need an organizer and attendees who answer. An event
keeps its UID for good; a new time or status raises its SEQUENCE, which is what makes calendar
apps replace the copy they hold, and DTSTAMP is when what it shows last changed."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import User
from coaching.models import CoachingSession, SessionStatus

FEED_SALT = "coaching.calendar-feed"
VERSIONED_FIELDS = frozenset({"starts_at", "duration_minutes", "status"})
SHOWN_FIELDS = VERSIONED_FIELDS | {"kind", "next_step", "student", "coach"}


def feed_token(coach: User) -> str:
    return signing.dumps(coach.pk, salt=FEED_SALT)


def feed_coach(token: str) -> User | None:
    """The coach a feed address belongs to, or None for a forged one."""
    try:
        pk = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def event_changed(session: CoachingSession, fields: Iterable[str]) -> None:
    """Record on the (unsaved) session that these fields changed: a new time or status is a new
    version of its event (SEQUENCE), and any change the event shows gets a new DTSTAMP."""
    changed = set(fields)
    if changed & VERSIONED_FIELDS:
        session.sequence += 1
    if changed & SHOWN_FIELDS:
        session.changed_at = timezone.now()


def _utc(moment: datetime) -> datetime:
    # In UTC ("Z"): a time with a zone would need that zone's VTIMEZONE in the file.
    return moment.astimezone(UTC)


def event_uid(session: CoachingSession) -> str:
    """The session's event UID, the same whatever changes: its id at the site's host."""
    return f"coaching-session-{session.pk}@{urlsplit(settings.SITE_URL).hostname}"


def to_ics(sessions: list[CoachingSession], name: str) -> bytes:
    """The sessions as one published calendar called `name`."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//coaching//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        cancelled = session.status == SessionStatus.CANCELLED
        event = Event()
        event.add("uid", event_uid(session))
        event.add("sequence", session.sequence)
        event.add("dtstamp", _utc(session.changed_at))
        event.add("created", _utc(session.created_at))
        event.add("last-modified", _utc(session.changed_at))
        event.add("dtstart", _utc(session.starts_at))
        event.add("dtend", _utc(session.starts_at + timedelta(minutes=session.duration_minutes)))
        # The word too, for calendar apps that show a cancelled event like any other.
        summary = f"{session.get_kind_display()}: {session.student}"
        event.add("summary", f"Cancelled: {summary}" if cancelled else summary)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if session.next_step:
            event.add("description", f"Next step: {session.next_step}")
        calendar.add_component(event)
    return calendar.to_ical()
