"""Booking, moving and cancelling a coaching session from the student's home, without
JavaScript: each form comes back at the part of the page acted on with its message there, and
errors beside the field.

The cast: Avery and Blair, both coached by Ann, who offers free times."""

import re
from datetime import UTC, datetime, time, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from backend.dates import long_day
from coaching.booking import slot_book, slots_add
from coaching.models import CoachingSession, OpenSlot
from enrollment.models import Student
from messaging.models import Message
from tests.conftest import with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def words(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def ann() -> User:
    return with_role(Role.COACH, email="ann@school.test", first_name="Ann", last_name="Lee")


@pytest.fixture
def avery(ann: User) -> Student:
    return StudentFactory(coach=ann, user__first_name="Avery", user__last_name="Adams")


@pytest.fixture
def blair(ann: User) -> Student:
    return StudentFactory(coach=ann, user__first_name="Blair", user__last_name="Brooks")


@pytest.fixture
def times(ann: User) -> list[OpenSlot]:
    """Ann's free times: 10:00 and 10:30 in two days, 15:00 in three."""
    return [
        *slots_add(coach=ann, starts_at=at(2, 10), count=2),
        *slots_add(coach=ann, starts_at=at(3, 15)),
    ]


def test_the_home_offers_the_coachs_free_times_by_day(avery: Student, times: list) -> None:
    html = signed_in(avery.user).get("/me/").content.decode()
    assert 'action="/me/sessions/#book"' in html
    for slot in times:
        assert f'name="slot" value="{slot.pk}"' in html
    day = long_day(times[0].starts_at)  # "Sunday, December 6, 2026"
    page = words(html)
    assert f"Pick a free time (30 minutes unless it says) {day} 10:00 a.m. 10:30 a.m." in page


def test_a_student_books_a_free_time_and_lands_on_it_with_the_message_there(
    avery: Student, ann: User, times: list
) -> None:
    client = signed_in(avery.user)
    response = client.post("/me/sessions/", {"kind": "resume_review", "slot": times[1].pk})
    assert response.status_code == 302
    assert response.url == "/me/#coaching"

    session = CoachingSession.objects.get(student=avery)
    assert (session.slot, session.kind, session.coach) == (times[1], "resume_review", ann)
    assert Message.objects.filter(recipient=ann, kind="session_booked").count() == 1

    html = client.get(response.url).content.decode()
    section = html[html.index('id="coaching"') : html.index('id="exam"')]
    assert "Booked: resume review with Ann Lee on " in unescape(section)
    assert f'id="session-{session.pk}"' in section
    assert f'name="slot" value="{times[1].pk}"' not in html  # no longer free


def test_booking_without_a_time_is_refused_beside_the_times_and_nothing_is_booked(
    avery: Student, times: list
) -> None:
    response = signed_in(avery.user).post("/me/sessions/", {"kind": "check_in"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="slot-error"' in html
    assert "Pick one of the free times." in html
    assert not CoachingSession.objects.exists()


def test_a_time_someone_just_took_is_refused_and_the_rest_are_offered_again(
    avery: Student, blair: Student, times: list
) -> None:
    slot_book(student=blair, slot=times[0], kind="check_in", by=blair.user)
    response = signed_in(avery.user).post(
        "/me/sessions/", {"kind": "check_in", "slot": times[0].pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "That time is no longer free; pick another." in html
    assert f'value="{times[1].pk}"' in html
    assert not CoachingSession.objects.filter(student=avery).exists()


def test_an_unknown_kind_is_refused(avery: Student, times: list) -> None:
    response = signed_in(avery.user).post("/me/sessions/", {"kind": "party", "slot": times[0].pk})
    assert response.status_code == 400
    assert not CoachingSession.objects.exists()


def test_without_free_times_the_student_is_told_to_write_to_the_coach(avery: Student) -> None:
    page = words(signed_in(avery.user).get("/me/").content.decode())
    assert (
        "Ann Lee has no free time left in the next six weeks. Write to them to find a time." in page
    )


def test_the_move_page_offers_the_other_free_times_and_moves_the_session(
    avery: Student, blair: Student, ann: User, times: list
) -> None:
    session = slot_book(student=avery, slot=times[0], kind="check_in", by=avery.user)
    slot_book(student=blair, slot=times[1], kind="check_in", by=blair.user)
    client = signed_in(avery.user)

    html = client.get(f"/me/sessions/{session.pk}/move/").content.decode()
    assert "Move your check-in" in html
    assert f'value="{times[2].pk}"' in html
    assert f'value="{times[1].pk}"' not in html  # Blair's

    response = client.post(f"/me/sessions/{session.pk}/move/", {"slot": times[2].pk})
    assert response.status_code == 302
    assert response.url == "/me/#coaching"
    session.refresh_from_db()
    assert session.slot == times[2]
    home = words(client.get("/me/").content.decode())
    assert "Moved: your check-in is now on " in home
    assert Message.objects.filter(recipient=ann, kind="session_moved").exists()


def test_moving_without_a_time_is_refused_beside_the_times(avery: Student, times: list) -> None:
    session = slot_book(student=avery, slot=times[0], kind="check_in", by=avery.user)
    response = signed_in(avery.user).post(f"/me/sessions/{session.pk}/move/", {})
    assert response.status_code == 400
    assert "Pick one of the free times." in response.content.decode()


def test_the_cancel_page_says_what_happens_then_cancels(
    avery: Student, ann: User, times: list
) -> None:
    session = slot_book(student=avery, slot=times[0], kind="mock_interview", by=avery.user)
    client = signed_in(avery.user)

    page = words(client.get(f"/me/sessions/{session.pk}/cancel/").content.decode())
    assert "Cancel your mock interview?" in page
    assert "Ann is emailed, and the time goes back to their free times" in page
    assert CoachingSession.objects.get().status == "scheduled"  # asking changes nothing

    response = client.post(f"/me/sessions/{session.pk}/cancel/")
    assert response.status_code == 302
    assert response.url == "/me/#coaching"
    assert CoachingSession.objects.get().status == "cancelled"
    html = client.get("/me/").content.decode()
    assert "Cancelled: your mock interview on " in unescape(html)
    assert f'name="slot" value="{times[0].pk}"' in html  # free again
    assert Message.objects.filter(recipient=ann, kind="session_cancelled").exists()


def test_another_students_session_cannot_be_moved_or_cancelled(
    avery: Student, blair: Student, times: list
) -> None:
    theirs = slot_book(student=blair, slot=times[0], kind="check_in", by=blair.user)
    client = signed_in(avery.user)
    assert client.get(f"/me/sessions/{theirs.pk}/move/").status_code == 404
    assert client.post(f"/me/sessions/{theirs.pk}/move/", {"slot": times[1].pk}).status_code == 404
    assert client.post(f"/me/sessions/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.slot) == ("scheduled", times[0])


def test_a_past_session_has_no_move_or_cancel_page(avery: Student, ann: User) -> None:
    past = CoachingSession.objects.create(
        student=avery, coach=ann, kind="check_in", starts_at=timezone.now() - timedelta(hours=1)
    )
    client = signed_in(avery.user)
    assert client.get(f"/me/sessions/{past.pk}/move/").status_code == 404
    assert client.get(f"/me/sessions/{past.pk}/cancel/").status_code == 404


def test_a_student_downloads_their_session_for_their_calendar(avery: Student, times: list) -> None:
    session = slot_book(student=avery, slot=times[0], kind="check_in", by=avery.user)
    response = signed_in(avery.user).get(f"/coach/sessions/{session.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert "Check-in" in body
    assert f"DTSTART:{times[0].starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in body
