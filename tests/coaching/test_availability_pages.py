"""The coach's free times page, `/coach/availability/`, without JavaScript: offer times, see
which a student took, remove a free one; errors beside the fields.

The cast: coach Ann and her student Avery; coach Ben, who never sees or touches Ann's times; the
student, who has no such page."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from coaching.booking import slot_book, slots_add
from coaching.models import OpenSlot
from enrollment.models import Student
from tests.conftest import with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def words(response: object) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()))


@pytest.fixture
def ann() -> User:
    return with_role(Role.COACH, email="ann@school.test", first_name="Ann", last_name="Lee")


@pytest.fixture
def ben() -> User:
    return with_role(Role.COACH, email="ben@school.test", first_name="Ben", last_name="Bell")


@pytest.fixture
def avery(ann: User) -> Student:
    return StudentFactory(coach=ann, user__first_name="Avery", user__last_name="Adams")


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def offer_form(**fields: object) -> dict[str, object]:
    return {
        "day": in_days(3),
        "start": "13:00",
        "duration_minutes": 30,
        "count": 1,
        "weeks": 1,
    } | fields


def test_a_coach_offers_back_to_back_times_and_lands_on_the_list_with_the_message(
    ann: User,
) -> None:
    client = signed_in(ann)
    response = client.post("/coach/availability/", offer_form(count=4, weeks=2))
    assert response.status_code == 302
    assert response.url == "/coach/availability/#times"
    assert OpenSlot.objects.filter(coach=ann).count() == 8

    html = client.get(response.url).content.decode()
    times = html[html.index('id="times"') :]
    assert "Offered 8 free times from " in unescape(times)
    assert times.count("Remove<span") == 8


def test_a_time_over_another_is_refused_beside_the_start_and_nothing_is_added(ann: User) -> None:
    client = signed_in(ann)
    client.post("/coach/availability/", offer_form(start="14:00"))
    response = client.post("/coach/availability/", offer_form(start="13:00", count=3))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_start_error"' in html
    assert "You already offer " in html
    assert OpenSlot.objects.count() == 1


def test_a_missing_day_is_refused_beside_the_day(ann: User) -> None:
    response = signed_in(ann).post("/coach/availability/", offer_form(day=""))
    assert response.status_code == 400
    assert 'id="id_day_error"' in response.content.decode()
    assert not OpenSlot.objects.exists()


def test_a_taken_time_names_the_student_and_cannot_be_removed(ann: User, avery: Student) -> None:
    free, taken = slots_add(coach=ann, starts_at=timezone.now() + timedelta(days=2), count=2)
    slot_book(student=avery, slot=taken, kind="mock_interview", by=avery.user)
    client = signed_in(ann)

    page = words(client.get("/coach/availability/"))
    assert "Taken: mock interview with Avery Adams" in page

    response = client.post(f"/coach/availability/{taken.pk}/remove/")
    assert response.url == "/coach/availability/#times"
    assert "Avery Adams booked this time; move or cancel that session first." in words(
        client.get(response.url)
    )
    client.post(f"/coach/availability/{free.pk}/remove/")
    assert list(OpenSlot.objects.all()) == [taken]


def test_a_coach_neither_sees_nor_removes_another_coachs_times(ann: User, ben: User) -> None:
    [slot] = slots_add(coach=ann, starts_at=timezone.now() + timedelta(days=2))
    client = signed_in(ben)
    assert f"time-{slot.pk}" not in client.get("/coach/availability/").content.decode()
    assert client.post(f"/coach/availability/{slot.pk}/remove/").status_code == 404
    assert OpenSlot.objects.filter(pk=slot.pk).exists()


def test_students_have_no_free_times_page(avery: Student) -> None:
    client = signed_in(avery.user)
    assert client.get("/coach/availability/").status_code == 403
    assert client.post("/coach/availability/", offer_form()).status_code == 403
    assert not OpenSlot.objects.exists()
