"""Job applications. The cast: `learner` records their own; `coach` (learner's coach) and admins
read and write them; another coach and another student get a 404; a supervisor and anonymous are
refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from careers.models import JobApplication
from tests.conftest import client_for, with_role
from tests.factories import EmployerFactory, JobApplicationFactory, StudentFactory

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/job-applications/"


def days_ago(days: int) -> str:
    return str(timezone.localdate() - timedelta(days=days))


@pytest.fixture
def learner(student, coach):
    return StudentFactory(user=student, coach=coach)


@pytest.fixture
def employer():
    return EmployerFactory(name="Springfield Clinic")


def test_a_student_records_an_application(student, learner, employer) -> None:
    body = {"employer": employer.pk, "role": "Phlebotomist", "applied_on": days_ago(3)}
    response = client_for(student).post(APPLICATIONS, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["student"], created["employer_name"], created["status"]) == (
        learner.pk,
        "Springfield Clinic",
        "applied",
    )
    assert created["status_changed_on"] == days_ago(3)


def test_a_status_change_is_dated_today(student, learner) -> None:
    application = JobApplicationFactory(student=learner, applied_on=days_ago(20))
    client = client_for(student)
    response = client.patch(f"{APPLICATIONS}{application.pk}/", {"status": "interviewing"})
    assert response.status_code == 200, response.json()
    assert response.json()["status_changed_on"] == days_ago(0)
    notes_only = JobApplicationFactory(student=learner, applied_on=days_ago(20))
    response = client.patch(f"{APPLICATIONS}{notes_only.pk}/", {"notes": "Called back"})
    assert response.json()["status_changed_on"] == days_ago(20)


def test_an_application_recorded_late_with_a_later_status_is_dated_today(coach, learner) -> None:
    body = {
        "student": learner.pk,
        "employer": EmployerFactory().pk,
        "role": "MA",
        "status": "offered",
        "applied_on": days_ago(30),
    }
    response = client_for(coach).post(APPLICATIONS, body)
    assert response.status_code == 201
    assert response.json()["status_changed_on"] == days_ago(0)


def test_an_application_cannot_be_dated_in_the_future(student, learner, employer) -> None:
    body = {"employer": employer.pk, "role": "MA", "applied_on": days_ago(-1)}
    response = client_for(student).post(APPLICATIONS, body)
    assert response.status_code == 400
    assert "future" in response.json()["applied_on"][0]


def test_each_reader_sees_only_their_students_applications(
    admin_user, coach, student, learner
) -> None:
    ours = JobApplicationFactory(student=learner)
    theirs = JobApplicationFactory(student=StudentFactory(coach=with_role(Role.COACH)))
    for user in (coach, student):
        client = client_for(user)
        assert [a["id"] for a in client.get(APPLICATIONS).json()["results"]] == [ours.pk], user
        assert client.get(f"{APPLICATIONS}{theirs.pk}/").status_code == 404
        assert client.patch(f"{APPLICATIONS}{theirs.pk}/", {"notes": "x"}).status_code == 404
        assert client.delete(f"{APPLICATIONS}{theirs.pk}/").status_code == 404
    assert client_for(admin_user).get(APPLICATIONS).json()["count"] == 2


def test_a_coach_records_for_their_caseload_only(coach, learner, employer) -> None:
    elsewhere = StudentFactory(coach=with_role(Role.COACH))
    client = client_for(coach)
    body = {"employer": employer.pk, "role": "MA", "applied_on": days_ago(1)}
    assert client.post(APPLICATIONS, {**body, "student": learner.pk}).status_code == 201
    refused = client.post(APPLICATIONS, {**body, "student": elsewhere.pk})
    assert refused.status_code == 400
    assert "student" in refused.json()
    missing = client.post(APPLICATIONS, body)
    assert missing.json() == {"student": ["Name the student."], "code": "invalid"}


def test_a_student_deletes_their_own_application(student, learner) -> None:
    application = JobApplicationFactory(student=learner)
    assert client_for(student).delete(f"{APPLICATIONS}{application.pk}/").status_code == 204
    assert not JobApplication.objects.exists()


def test_supervisors_and_anonymous_are_refused(supervisor, api, learner) -> None:
    application = JobApplicationFactory(student=learner)
    assert client_for(supervisor).get(APPLICATIONS).status_code == 403
    assert client_for(supervisor).get(f"{APPLICATIONS}{application.pk}/").status_code == 403
    assert api.get(APPLICATIONS).status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"applied_on": "2024-02-30"}, "applied_on"),
        ({"applied_on": "soon"}, "applied_on"),
        ({"status": "ghosted"}, "status"),
        ({"role": ""}, "role"),
        ({"employer": "abc"}, "employer"),
        ({"employer": 10**12}, "employer"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(student, learner, employer, body, field) -> None:
    valid = {"employer": employer.pk, "role": "MA", "applied_on": days_ago(1)}
    response = client_for(student).post(APPLICATIONS, {**valid, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_the_list_filters_by_status_and_date(coach, learner) -> None:
    JobApplicationFactory(student=learner, status="hired", applied_on=days_ago(40))
    JobApplicationFactory(student=learner, applied_on=days_ago(2))
    client = client_for(coach)
    assert client.get(APPLICATIONS, {"status": "hired"}).json()["count"] == 1
    assert client.get(APPLICATIONS, {"applied_after": days_ago(10)}).json()["count"] == 1
    assert client.get(APPLICATIONS, {"student": learner.pk}).json()["count"] == 2


def test_the_application_list_costs_the_same_queries_for_2_or_20(coach) -> None:
    client = client_for(coach)
    client.get(APPLICATIONS)  # the coach's roles are read once and kept on the user
    JobApplicationFactory.create_batch(2, student__coach=coach)
    with CaptureQueriesContext(connection) as two:
        client.get(APPLICATIONS)
    JobApplicationFactory.create_batch(18, student__coach=coach)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(APPLICATIONS).json()["count"] == 20
    # The count and the page, with the student's user and the employer joined in.
    assert len(two) == len(twenty) == 2


def test_an_offer_records_the_day_to_answer_by_never_before_applying(student, learner) -> None:
    application = JobApplicationFactory(student=learner, applied_on=days_ago(20))
    client = client_for(student)
    url = f"{APPLICATIONS}{application.pk}/"
    early = client.patch(url, {"status": "offered", "respond_by": days_ago(21)})
    assert early.status_code == 400
    assert "respond_by" in early.json()
    answered = client.patch(url, {"status": "offered", "respond_by": days_ago(-2)})
    assert answered.status_code == 200
    assert answered.json()["respond_by"] == days_ago(-2)
