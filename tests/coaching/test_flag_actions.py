"""Acting on every flag from the student's page (`/coach/students/<pk>/...`), without JavaScript:
each action's happy path lands back on its section with the message there, each refusal comes
back beside its form in words and writes nothing, and nobody but the coach and admins acts.

The cast: `coach` coaches `learner` (exam-ready, failed the exam a week ago); `admin_user` may
act on anyone; `other` coaches someone else and gets a 404; the student gets a 403."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from backend.dates import short_day
from careers.models import Employer, ExamAttempt, ExamResult, JobApplication, JobPlacement
from coaching.models import CoachingSession
from tests.conftest import with_role
from tests.factories import (
    EmployerFactory,
    ExamAttemptFactory,
    JobApplicationFactory,
    StudentFactory,
    exam_ready_student,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_days(days: int) -> str:
    return str(timezone.localdate() + timedelta(days=days))


def text(response) -> str:
    """The page's words, tags and extra spaces removed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def learner(student, coach):
    learner = exam_ready_student(user=student, coach=coach)
    ExamAttemptFactory(student=learner, result=ExamResult.FAILED, scaled_score=341)
    return learner


def url(learner, action: str = "") -> str:
    return f"/coach/students/{learner.pk}/{action}"


def lands(response, learner, section: str, message: str, client: Client) -> str:
    """The action went back to its section, where the message shows; the page as it is now."""
    assert response.status_code == 302, text(response)
    assert response["Location"] == f"{url(learner)}#{section}"
    page = client.get(url(learner)).content.decode()
    found = re.search(rf'<section id="{section}".*?</section>', page, re.S)
    assert found, section
    assert message in re.sub(r"\s+", " ", found.group()), found.group()
    return page


# -- the exam ------------------------------------------------------------------------------------


def test_booking_the_retake_clears_the_failed_exam_flag(coach, learner) -> None:
    client = signed_in(coach)
    assert "Failed exam, no retake scheduled" in client.get(url(learner)).content.decode()

    response = client.post(url(learner, "exam/"), {"sat_on": in_days(30)})

    on = timezone.localdate() + timedelta(days=30)
    said = f"Retake booked: attempt 2 on {on:%A, %B %-d, %Y}."
    page = lands(response, learner, "exam", said, client)
    assert "Failed exam, no retake scheduled" not in page
    retake = ExamAttempt.objects.get(student=learner, attempt_number=2)
    assert (retake.result, retake.recorded_by) == (ExamResult.SCHEDULED, coach)


def test_a_second_booking_is_refused_in_the_rules_words(coach, learner) -> None:
    client = signed_in(coach)
    client.post(url(learner, "exam/"), {"sat_on": in_days(30)})

    response = client.post(url(learner, "exam/"), {"sat_on": in_days(40)})

    assert response.status_code == 409
    assert "already has an attempt scheduled; record its result first." in text(response)
    assert ExamAttempt.objects.filter(student=learner).count() == 2


def test_a_student_not_ready_is_refused_with_the_reasons_unless_the_coach_says_why(
    coach, student
) -> None:
    unready = StudentFactory(coach=coach)
    client = signed_in(coach)

    refused = client.post(url(unready, "exam/"), {"sat_on": in_days(30)})

    assert refused.status_code == 400
    assert "Not exam-ready: The program's completion requirements are not met yet." in (
        text(refused)
    )
    assert not ExamAttempt.objects.filter(student=unready).exists()
    booked = client.post(
        url(unready, "exam/"), {"sat_on": in_days(30), "override_reason": "Director approved."}
    )
    assert booked.status_code == 302
    assert ExamAttempt.objects.get(student=unready).override_reason == "Director approved."


def test_an_exam_date_that_is_not_a_date_is_refused_beside_the_field(coach, learner) -> None:
    response = signed_in(coach).post(url(learner, "exam/"), {"sat_on": "next tuesday"})

    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#exam-sat_on">Enter the exam date as a date, like March 12, 2026.</a>' in page
    assert 'id="exam-sat_on_error"' in page
    assert ExamAttempt.objects.filter(student=learner).count() == 1


def test_recording_a_failed_result_raises_the_flag_again(coach, learner) -> None:
    booked = ExamAttemptFactory(
        student=learner, attempt_number=2, result=ExamResult.SCHEDULED, sat_on=in_days(0)
    )
    client = signed_in(coach)

    response = client.post(
        url(learner, f"exam/{booked.pk}/"), {"result": "failed", "scaled_score": "355"}
    )

    page = lands(response, learner, "exam", "Attempt 2: failed.", client)
    assert "Failed exam, no retake scheduled" in page
    booked.refresh_from_db()
    assert (booked.result, booked.scaled_score) == ("failed", 355)


def test_a_result_before_the_exam_day_is_refused(coach, learner) -> None:
    booked = ExamAttemptFactory(
        student=learner, attempt_number=2, result=ExamResult.SCHEDULED, sat_on=in_days(3)
    )

    response = signed_in(coach).post(url(learner, f"exam/{booked.pk}/"), {"result": "passed"})

    assert response.status_code == 400
    assert "The date of a recorded result cannot be in the future." in text(response)
    booked.refresh_from_db()
    assert booked.result == ExamResult.SCHEDULED


# -- jobs and offers -----------------------------------------------------------------------------


def test_recording_an_offer_with_its_answer_date_flags_the_deadline(coach, learner) -> None:
    EmployerFactory(name="Eastside Clinic")
    client = signed_in(coach)

    response = client.post(
        url(learner, "jobs/"),
        {
            "employer": "eastside clinic",  # the employer on record, in any case
            "role": "Medical assistant",
            "applied_on": in_days(-10),
            "status": "offered",
            "respond_by": in_days(2),
        },
    )

    on = timezone.localdate() + timedelta(days=2)
    page = lands(
        response,
        learner,
        "jobs",
        f"Offer recorded: Medical assistant at Eastside Clinic, to be answered by "
        f"{on:%A, %B %-d, %Y}.",
        client,
    )
    assert f"The answer to a job offer is due on {short_day(on, weekday=True)}." in page
    offer = JobApplication.objects.get(student=learner)
    assert (offer.employer.name, offer.status, offer.respond_by) == (
        "Eastside Clinic",
        "offered",
        on,
    )
    assert Employer.objects.count() == 1


def test_an_answer_date_before_the_application_is_refused_and_makes_no_employer(
    coach, learner
) -> None:
    response = signed_in(coach).post(
        url(learner, "jobs/"),
        {
            "employer": "Brand New Clinic",
            "role": "Medical assistant",
            "applied_on": in_days(-3),
            "status": "offered",
            "respond_by": in_days(-5),
        },
    )

    assert response.status_code == 400
    assert "An offer is answered after the application was sent." in text(response)
    assert 'href="#job-respond_by"' in response.content.decode()
    assert not JobApplication.objects.exists()
    assert not Employer.objects.exists()


def test_the_answer_to_an_offer_is_recorded_and_its_flag_clears(coach, learner) -> None:
    offer = JobApplicationFactory(
        student=learner, role="Phlebotomist", status="offered", respond_by=in_days(1)
    )
    client = signed_in(coach)
    assert "The answer to a job offer is due" in client.get(url(learner)).content.decode()

    response = client.post(url(learner, f"jobs/{offer.pk}/"), {"status": "hired"})

    page = lands(response, learner, "jobs", "Updated: Phlebotomist at", client)
    assert "The answer to a job offer is due" not in page
    offer.refresh_from_db()
    assert (offer.status, offer.status_changed_on) == ("hired", timezone.localdate())


def test_someone_elses_application_is_not_found_under_this_student(coach, learner) -> None:
    elsewhere = JobApplicationFactory(student=StudentFactory(coach=coach))

    response = signed_in(coach).post(url(learner, f"jobs/{elsewhere.pk}/"), {"status": "hired"})

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "applied"


# -- placements ----------------------------------------------------------------------------------


PLACEMENT = {
    "employer": "Eastside Clinic",
    "title": "Medical assistant",
    "classification": "in_field",
    "employment": "full_time",
    "hourly_wage": "19.50",
    "verification_method": "offer_letter",
    "evidence_note": "Offer letter seen on March 2.",
}


def test_recording_a_placement_keeps_the_wage_in_cents(coach, learner) -> None:
    client = signed_in(coach)

    response = client.post(url(learner, "placements/"), {**PLACEMENT, "start_date": in_days(7)})

    page = lands(response, learner, "placements", "Placement recorded: Medical assistant", client)
    assert "$19.50 an hour" in page
    placement = JobPlacement.objects.get(student=learner)
    assert (placement.hourly_wage_cents, placement.employer.name, placement.recorded_by) == (
        1950,
        "Eastside Clinic",
        coach,
    )


@pytest.mark.parametrize(
    ("wage", "error"),
    [
        ("", "Enter the hourly wage, like 19.50."),
        ("nineteen", "Enter the hourly wage in dollars, like 19.50."),
        ("19.505", "Enter the wage to the cent, like 19.50."),
        ("0", "Enter an hourly wage above $0."),
        ("5000", "Enter an hourly wage up to $1,000."),
    ],
)
def test_a_wage_that_is_not_one_is_refused_beside_the_field(coach, learner, wage, error) -> None:
    response = signed_in(coach).post(
        url(learner, "placements/"), {**PLACEMENT, "start_date": in_days(7), "hourly_wage": wage}
    )

    assert response.status_code == 400
    assert f'<a href="#placement-hourly_wage">{error}</a>' in response.content.decode()
    assert not JobPlacement.objects.exists()
    assert not Employer.objects.exists()


# -- sessions ------------------------------------------------------------------------------------


def _session(learner, coach, hours: int) -> CoachingSession:
    return CoachingSession.objects.create(
        student=learner,
        coach=coach,
        kind="resume_review",
        starts_at=timezone.now() + timedelta(hours=hours),
    )


def test_a_session_is_marked_held_with_its_outcome_and_next_step(coach, learner) -> None:
    session = _session(learner, coach, hours=-2)
    client = signed_in(coach)

    response = client.post(
        url(learner, f"sessions/{session.pk}/"),
        {"status": "held", "outcome": "Resume rewritten.", "next_step": "Apply to 3 clinics."},
    )

    page = lands(response, learner, "sessions", "is marked held.", client)
    assert "Outcome: Resume rewritten." in page
    assert "Next step: Apply to 3 clinics." in page
    session.refresh_from_db()
    assert (session.status, session.next_step) == ("held", "Apply to 3 clinics.")


def test_a_held_session_needs_its_outcome(coach, learner) -> None:
    session = _session(learner, coach, hours=-2)

    response = signed_in(coach).post(url(learner, f"sessions/{session.pk}/"), {"status": "held"})

    assert response.status_code == 400
    assert f'<a href="#close-{session.pk}-outcome">Say what came out of the session.</a>' in (
        response.content.decode()
    )
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_a_session_that_has_not_started_cannot_be_marked_missed(coach, learner) -> None:
    session = _session(learner, coach, hours=20)

    response = signed_in(coach).post(url(learner, f"sessions/{session.pk}/"), {"status": "no_show"})

    assert response.status_code == 400
    assert "A session that has not started yet cannot be held or missed." in text(response)
    session.refresh_from_db()
    assert session.status == "scheduled"


# -- who may act ---------------------------------------------------------------------------------


ACTIONS = {
    "exam/": {"sat_on": "+30"},
    "jobs/": {"employer": "X", "role": "MA", "applied_on": "-1", "status": "applied"},
    "placements/": {**PLACEMENT, "start_date": "+7"},
}


def _body(fields: dict[str, str]) -> dict[str, str]:
    return {
        name: in_days(int(value)) if value[:1] in "+-" and value[1:].isdigit() else value
        for name, value in fields.items()
    }


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_coach_and_admins_act(coach, learner, admin_user, student, action) -> None:
    other = with_role(Role.COACH, email="other-coach@school.test")
    body = _body(ACTIONS[action])
    before = (ExamAttempt.objects.count(), JobApplication.objects.count())

    assert signed_in(other).post(url(learner, action), body).status_code == 404
    assert signed_in(student).post(url(learner, action), body).status_code == 403
    anonymous = Client().post(url(learner, action), body)
    assert anonymous["Location"].startswith("/login/")
    assert (ExamAttempt.objects.count(), JobApplication.objects.count()) == before
    assert not JobPlacement.objects.exists()

    assert signed_in(admin_user).post(url(learner, action), body).status_code == 302
