"""A coaching session's calendar event, as calendar apps need it to follow the session: one UID
for good, without spaces, at the site's host; a SEQUENCE that grows when the session is moved or
cancelled (else apps keep the old time); DTSTAMP of the change; METHOD:PUBLISH.

The cast: Ann coaches Avery and offers free times; Avery books, moves and cancels from `/me/`;
an admin may move a session in the Django admin."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import Role, User
from coaching.booking import slot_book, slots_add
from coaching.calendar import feed_token
from coaching.models import CoachingSession, OpenSlot
from enrollment.models import Student
from tests.conftest import client_for, with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def ann() -> User:
    return with_role(Role.COACH, email="ann@school.test", first_name="Ann", last_name="Lee")


@pytest.fixture
def avery(ann: User) -> Student:
    return StudentFactory(coach=ann, user__first_name="Avery", user__last_name="Peña")


@pytest.fixture
def times(ann: User) -> list[OpenSlot]:
    """Ann's free times: 10:00 in two days, 15:00 in three."""
    return [*slots_add(coach=ann, starts_at=at(2, 10)), *slots_add(coach=ann, starts_at=at(3, 15))]


@pytest.fixture
def booked(avery: Student, times: list[OpenSlot]) -> CoachingSession:
    """Avery's check-in at the first free time, booked yesterday."""
    session = slot_book(student=avery, slot=times[0], kind="check_in", by=avery.user)
    yesterday = timezone.now() - timedelta(days=1)
    CoachingSession.objects.filter(pk=session.pk).update(created_at=yesterday, changed_at=yesterday)
    return session


def event_of(user: User, session: CoachingSession) -> tuple[Calendar, Event]:
    """The session's .ics as `user` downloads it: the calendar and its one event."""
    response = signed_in(user).get(f"/coach/sessions/{session.pk}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def second(moment: datetime) -> datetime:
    """The moment to the second, as iCalendar writes it."""
    return moment.replace(microsecond=0)


def test_a_session_file_is_published_with_a_uid_at_the_sites_host(avery, booked) -> None:
    calendar, event = event_of(avery.user, booked)
    assert calendar["method"] == "PUBLISH"
    assert event["uid"] == f"coaching-session-{booked.pk}@127.0.0.1"  # SITE_URL's host
    assert " " not in event["uid"]
    assert event["sequence"] == 0
    assert event["status"] == "CONFIRMED"
    assert event.decoded("dtstart") == booked.starts_at


def test_the_uid_takes_its_domain_from_site_url(settings, avery, booked) -> None:
    settings.SITE_URL = "https://Pathway.School.example:8443"
    _, event = event_of(avery.user, booked)
    assert event["uid"] == f"coaching-session-{booked.pk}@pathway.school.example"


def test_a_moved_session_is_a_new_version_of_the_same_event(avery, ann, booked, times) -> None:
    _, before = event_of(avery.user, booked)
    moving = timezone.now()
    response = signed_in(avery.user).post(f"/me/sessions/{booked.pk}/move/", {"slot": times[1].pk})
    assert response.status_code == 302
    for user in (avery.user, ann):
        _, after = event_of(user, booked)
        assert after["uid"] == before["uid"]
        assert after["sequence"] > before["sequence"]
        assert after.decoded("dtstart") == times[1].starts_at
        assert after.decoded("dtstart") != before.decoded("dtstart")
        assert after.decoded("dtstamp") >= second(moving) > before.decoded("dtstamp")
        assert after.decoded("last-modified") == after.decoded("dtstamp")


def test_a_cancelled_session_says_so_in_a_new_version(avery, booked) -> None:
    _, before = event_of(avery.user, booked)
    cancelling = timezone.now()
    response = signed_in(avery.user).post(f"/me/sessions/{booked.pk}/cancel/")
    assert response.status_code == 302
    _, after = event_of(avery.user, booked)
    assert after["uid"] == before["uid"]
    assert after["status"] == "CANCELLED"
    assert after["sequence"] > before["sequence"]
    assert after.decoded("dtstamp") >= second(cancelling)
    assert str(after["summary"]) == "Cancelled: Check-in: Avery Peña"


def test_each_move_through_the_api_raises_the_sequence_and_the_feed_agrees(
    client, ann, booked
) -> None:
    url = f"/api/v1/coaching-sessions/{booked.pk}/"
    for hours in (1, 2):
        moved = client_for(ann).patch(url, {"starts_at": (at(2, 10 + hours)).isoformat()})
        assert moved.status_code == 200
    _, event = event_of(ann, booked)
    assert event["sequence"] == 2
    assert event.decoded("dtstart") == at(2, 12)
    feed = client.get(f"/coach/calendar/{feed_token(ann)}.ics")
    calendar = Calendar.from_ical(feed.content)
    assert calendar["method"] == "PUBLISH"
    [in_feed] = calendar.walk("VEVENT")
    assert (in_feed["uid"], in_feed["sequence"]) == (event["uid"], 2)


def test_a_new_next_step_is_a_new_stamp_but_not_a_new_version(ann, booked) -> None:
    url = f"/api/v1/coaching-sessions/{booked.pk}/"
    same_time = client_for(ann).patch(url, {"starts_at": booked.starts_at.isoformat()})
    assert same_time.status_code == 200
    _, unchanged = event_of(ann, booked)
    assert unchanged["sequence"] == 0
    annotating = timezone.now()
    response = client_for(ann).patch(url, {"next_step": "Bring a résumé"})
    assert response.status_code == 200
    _, event = event_of(ann, booked)
    assert event["sequence"] == 0
    assert event.decoded("dtstamp") >= second(annotating) > unchanged.decoded("dtstamp")
    assert str(event["description"]) == "Next step: Bring a résumé"


def test_a_session_moved_in_the_django_admin_is_a_new_version(admin_user, booked) -> None:
    _, before = event_of(admin_user, booked)
    url = f"/admin/coaching/coachingsession/{booked.pk}/change/"
    later = timezone.localtime(booked.starts_at + timedelta(hours=3))
    form = {
        "student": booked.student_id,
        "coach": booked.coach_id,
        "kind": booked.kind,
        "starts_at_0": later.date().isoformat(),
        "starts_at_1": later.time().isoformat(),
        "duration_minutes": booked.duration_minutes,
        "status": booked.status,
        "outcome": "",
        "next_step": "",
        "slot": "",
        "created_at_0": timezone.localdate().isoformat(),
        "created_at_1": "09:00:00",
    }
    response = signed_in(admin_user).post(url, form)
    assert response.status_code == 302, response.content.decode()
    _, after = event_of(admin_user, booked)
    assert after["sequence"] == before["sequence"] + 1
    assert after.decoded("dtstart") == later
