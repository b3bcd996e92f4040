"""The student's home, `/me/`: everything that is theirs on one page, only theirs, in a fixed
number of queries; a message to their coach that the coach sees on their page of the student.

The cast: Avery, coached by Ann, half way through a phlebotomy externship with a bit of
everything on record; Blair, another of Ann's students, whose records never show on Avery's
page."""

import re
from datetime import datetime, time, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from coaching.booking import slot_book, slots_add
from coaching.models import CoachingSession
from coaching.services import message_student
from documents.services import certificate_issue
from enrollment.models import Student
from messaging.models import Message
from tests.conftest import with_role
from tests.factories import (
    ApplicationFactory,
    ComplianceDocumentFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    JobApplicationFactory,
    JobPlacementFactory,
    ProcedureLogFactory,
    RequirementFactory,
    StudentFactory,
    complete_documents,
)

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: object) -> str:
    """The page's visible words, tags dropped and spaces squeezed."""
    return text_of_html(response.content.decode())


def text_of_html(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def ann() -> User:
    return with_role(Role.COACH, email="ann@school.test", first_name="Ann", last_name="Lee")


@pytest.fixture
def avery(ann: User) -> Student:
    """On externship: 16 hours and 5 venipunctures required, 8 hours and 2 sticks approved."""
    hours = RequirementFactory(params={"hours": 16}, label="Externship hours")
    RequirementFactory(
        requirement_set=hours.requirement_set,
        kind="procedures",
        label="Venipunctures",
        params={"procedure": "venipuncture", "count": 5, "noun": "venipuncture"},
    )
    student = StudentFactory(
        coach=ann,
        stage="externship",
        requirement_set=hours.requirement_set,
        user__first_name="Avery",
        user__last_name="Adams",
    )
    student.application = ApplicationFactory(cohort=student.cohort)
    student.save()
    externship = ExternshipFactory(student=student)
    HourLogFactory(externship=externship)
    ProcedureLogFactory(externship=externship, count=2)
    return student


def fill(student: Student, coach: User, n: int = 1) -> None:
    """`n` more of each kind of record on the student's home."""
    today = timezone.localdate()
    externship = student.externships.get()
    done = student.exam_attempts.count()
    for i in range(done, done + n):
        HourLogFactory(externship=externship, date=today - timedelta(days=2 + i), status="pending")
        ExamAttemptFactory(student=student, attempt_number=i + 1)
        JobApplicationFactory(
            student=student,
            status="offered",
            role=f"Phlebotomist {i}",
            respond_by=today + timedelta(days=4),
        )
        JobPlacementFactory(student=student, title=f"Lab assistant {i}")
        CoachingSession.objects.create(
            student=student,
            coach=coach,
            kind="check_in",
            starts_at=timezone.now() - timedelta(days=3 + i),
            status="held",
            outcome="Talked about the externship.",
            next_step=f"Practise capillary sticks {i}",
        )
        message_student(student=student, by=coach, channel="email", body=f"See you Friday {i}")
    slots_add(coach=coach, starts_at=at(2 + done, 9), count=n + 1)
    complete_documents(student)


def test_the_home_shows_progress_with_what_is_missing(avery: Student, ann: User) -> None:
    page = text_of(signed_in(avery.user).get("/me/"))
    assert "Hello, Avery" in page
    assert "Externship hours: 8 of 16 hours 8 hours to go" in page
    assert "Venipunctures: 2 of 5 venipunctures 3 venipunctures to go" in page
    assert "Still to do: 8 hours to go, 3 venipunctures to go." in page


def test_the_home_shows_the_logs_and_the_forms_to_log(avery: Student) -> None:
    html = signed_in(avery.user).get("/me/").content.decode()
    assert 'action="/me/hours/' in html
    assert 'action="/me/procedures/' in html
    assert "Rooming patients, vital signs" in text_of_html(html)


def test_documents_say_in_words_which_expired_which_expire_soon_and_which_are_missing(
    avery: Student,
) -> None:
    today = timezone.localdate()
    ComplianceDocumentFactory(student=avery, kind="tb_test", expires_on=today - timedelta(days=3))
    ComplianceDocumentFactory(student=avery, kind="cpr_bls", expires_on=today + timedelta(days=10))
    ComplianceDocumentFactory(student=avery, kind="immunizations", expires_on=None)
    ComplianceDocumentFactory(
        student=avery, kind="drug_screen", expires_on=today + timedelta(days=200)
    )
    page = text_of(signed_in(avery.user).get("/me/"))

    expired = today - timedelta(days=3)
    soon = today + timedelta(days=10)
    assert f"TB test {expired:%B %-d, %Y}"[:7] in page
    assert f"Expired on {expired:%B %-d, %Y}: hand in a new one." in page
    assert f"Expires in 10 days, on {soon:%B %-d, %Y}." in page
    assert "Valid; it does not expire." in page
    assert f"Valid until {today + timedelta(days=200):%B %-d, %Y}." in page
    assert "Missing: hand it in to the school." in page
    # Coming up: the two that need doing, and the missing ones in one line.
    assert f"TB test: expired on {expired:%B %-d, %Y}: hand in a new one." in page
    assert f"CPR/BLS: expires in 10 days, on {soon:%B %-d, %Y}." in page
    assert "Documents to hand in to the school: Background Check, Signed FERPA release." in page


def test_a_renewed_document_replaces_the_expired_one(avery: Student) -> None:
    today = timezone.localdate()
    ComplianceDocumentFactory(student=avery, kind="tb_test", expires_on=today - timedelta(days=3))
    ComplianceDocumentFactory(student=avery, kind="tb_test", expires_on=today + timedelta(days=300))
    page = text_of(signed_in(avery.user).get("/me/"))
    assert "Expired on" not in page


def test_exam_readiness_says_why_not_yet_and_attempts_show_their_result(avery: Student) -> None:
    ExamAttemptFactory(student=avery, scaled_score=371)
    page = text_of(signed_in(avery.user).get("/me/"))
    assert "Not ready for the exam yet:" in page
    assert "The program's completion requirements are not met yet." in page
    assert "Attempt 1" in page
    assert "Failed , score 371." in page


def test_a_student_who_meets_the_rules_is_told_they_are_ready(avery: Student) -> None:
    externship = avery.externships.get()
    HourLogFactory(externship=externship, date=timezone.localdate() - timedelta(days=3))
    ProcedureLogFactory(externship=externship, count=3)
    page = text_of(signed_in(avery.user).get("/me/"))
    assert "You are ready to sit the exam." in page
    assert "Progress Complete" in page


def test_a_booked_exam_shows_its_date(avery: Student) -> None:
    sat_on = timezone.localdate() + timedelta(days=9)
    ExamAttemptFactory(student=avery, result="scheduled", sat_on=sat_on)
    page = text_of(signed_in(avery.user).get("/me/"))
    assert f"Booked for {sat_on:%A, %B %-d, %Y} (attempt 1)." in page
    assert f"Your NHA CPT exam is on {sat_on:%A, %B %-d, %Y}." in page


def test_offers_show_their_answer_by_date_and_the_placement_shows(avery: Student) -> None:
    respond_by = timezone.localdate() + timedelta(days=2)
    JobApplicationFactory(
        student=avery, role="Phlebotomist", status="offered", respond_by=respond_by
    )
    JobPlacementFactory(student=avery, title="Lab assistant")
    page = text_of(signed_in(avery.user).get("/me/"))
    assert f"Answer the offer by {respond_by:%A, %B %-d, %Y}." in page
    assert "Placed: Lab assistant at" in page
    assert "(in field, full time)" in page


def test_sessions_show_upcoming_with_actions_and_past_with_the_next_step(
    avery: Student, ann: User
) -> None:
    [slot] = slots_add(coach=ann, starts_at=at(3, 14))
    session = slot_book(student=avery, slot=slot, kind="mock_interview", by=avery.user)
    CoachingSession.objects.create(
        student=avery,
        coach=ann,
        kind="resume_review",
        starts_at=timezone.now() - timedelta(days=5),
        status="held",
        outcome="Resume tightened.",
        next_step="Send it to two clinics",
    )
    html = signed_in(avery.user).get("/me/").content.decode()
    assert f'href="/coach/sessions/{session.pk}.ics"' in html
    assert f'href="/me/sessions/{session.pk}/move/"' in html
    assert f'href="/me/sessions/{session.pk}/cancel/"' in html
    page = text_of_html(html)
    assert "Mock interview with Ann Lee, 30 minutes." in page
    assert (
        "Resume review with Ann Lee (held). Resume tightened. Next step: Send it to two clinics"
        in page
    )


def test_the_coach_is_named_with_a_form_to_write_to_them(avery: Student) -> None:
    html = signed_in(avery.user).get("/me/").content.decode()
    assert "Your coach: " in text_of_html(html)
    assert 'action="/me/coach/messages/#coach"' in html
    assert "Write to Ann" in html


def test_the_certificate_links_to_its_pdf_and_verification_page_once_issued(
    avery: Student,
) -> None:
    page = text_of(signed_in(avery.user).get("/me/"))
    assert "Your certificate will be here once you graduate" in page

    externship = avery.externships.get()
    HourLogFactory(externship=externship, date=timezone.localdate() - timedelta(days=3))
    ProcedureLogFactory(externship=externship, count=3)
    avery.stage = "graduated"
    avery.save()
    html = signed_in(avery.user).get("/me/").content.decode()
    assert f'href="/api/v1/students/{avery.pk}/certificate.pdf"' in html

    certificate = certificate_issue(student=avery, by=None)
    html = signed_in(avery.user).get("/me/").content.decode()
    assert f'href="/verify/{certificate.code}/"' in html


def test_a_student_sees_only_their_own_records(avery: Student, ann: User) -> None:
    blair = StudentFactory(coach=ann, user__first_name="Blair", user__last_name="Brooks")
    ExternshipFactory(student=blair)
    fill(blair, ann)
    HourLogFactory(externship=blair.externships.get(), activities="Blair's own shift")
    page = text_of(signed_in(avery.user).get("/me/"))
    for theirs in [
        "Blair",
        "Blair's own shift",
        "Phlebotomist 0",
        "Lab assistant 0",
        "Practise capillary sticks 0",
        "See you Friday 0",
    ]:
        assert theirs not in page


def test_staff_have_no_home_here(ann: User, admin_user: User) -> None:
    assert signed_in(ann).get("/me/").status_code == 404
    assert signed_in(admin_user).get("/me/").status_code == 404
    assert Client().get("/me/").url == "/login/?next=/me/"


def test_the_home_costs_the_same_queries_for_one_record_of_each_kind_or_ten(
    avery: Student, ann: User
) -> None:
    """25 queries today: session, user, roles (2), the student and their documents, sessions,
    certificate, progress (2), exam readiness (2: progress again), attempts, free times (2),
    job applications, placements and their reference pay, messages, logs (2), the active
    externship, the rejected logs a correction may name (2), and the header's student."""
    client = signed_in(avery.user)
    fill(avery, ann, n=1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/me/").status_code == 200
    fill(avery, ann, n=9)
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/me/").status_code == 200
    assert len(ten) == len(one) <= 30, [q["sql"][:90] for q in ten.captured_queries]


# -- writing to the coach --------------------------------------------------------------------


def test_a_student_writes_to_their_coach_who_sees_it_on_their_page_of_the_student(
    avery: Student, ann: User
) -> None:
    client = signed_in(avery.user)
    response = client.post("/me/coach/messages/", {"body": "Can we move Friday's check-in?"})
    assert response.status_code == 302
    assert response.url == "/me/#coach"

    message = Message.objects.get(sender=avery.user)
    assert (message.recipient, message.address, message.purpose) == (ann, ann.email, "work")
    assert message.subject == "Can we move Friday's check-in?"
    assert "Avery Adams" in message.body
    assert f"/coach/students/{avery.pk}/" in message.body

    home = client.get(response.url).content.decode()
    notice = home.index("Sent to Ann Lee.")
    assert home.index('id="coach-title"') < notice  # in the coach's part of the page
    assert "You wrote: Can we move Friday&#x27;s check-in?" in home

    coach_page = text_of(signed_in(ann).get(f"/coach/students/{avery.pk}/"))
    assert "Can we move Friday's check-in? from Avery Adams" in coach_page


def test_an_empty_message_is_refused_beside_its_field_and_nothing_is_sent(
    avery: Student,
) -> None:
    response = signed_in(avery.user).post("/me/coach/messages/", {"body": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_body_error"' in html
    assert "Write the message." in html
    assert not Message.objects.filter(sender=avery.user).exists()


def test_a_student_without_a_coach_is_told_so(avery: Student) -> None:
    avery.coach = None
    avery.save()
    client = signed_in(avery.user)
    assert "You have no coach yet" in text_of(client.get("/me/"))
    response = client.post("/me/coach/messages/", {"body": "Hello?"})
    assert response.status_code == 400
    assert not Message.objects.exists()
