"""The caseload page (`/coach/`) without JavaScript: search by name, the three sorts, pages of 25
that keep the filters, one bar per requirement with its words, the named document, and a number
of queries that does not grow with the caseload.

The cast: `coach` coaches everyone made here through `pupil()`; `other` coaches one namesake,
whom `coach` never sees."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from careers.models import JobApplicationStatus
from coaching.models import CoachNote
from externships.defaults import install_default_requirements
from tests.conftest import with_role
from tests.factories import (
    ComplianceDocumentFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    JobApplicationFactory,
    ProcedureLogFactory,
    ProgramFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def edition():
    """Phlebotomy's requirements: 30 venipunctures and 10 capillary sticks."""
    return install_default_requirements(ProgramFactory())


@pytest.fixture
def pupil(coach, edition):
    """A student of `coach`, contacted today (so unflagged unless the test flags them)."""

    def make(first: str = "Pat", last: str = "Person", **fields: object):
        student = StudentFactory(
            coach=coach,
            user__first_name=first,
            user__last_name=last,
            requirement_set=edition,
            cohort__program=edition.program,
            **fields,
        )
        CoachNote.objects.create(student=student, author=coach, body="Called.")
        return student

    return make


def names(html: str) -> list[str]:
    """The students' names in the order the page lists them."""
    return re.findall(r'<td class="who"><a href="/coach/students/\d+/">([^<]+)</a>', html)


def test_the_search_finds_students_by_any_part_of_their_name(coach, pupil) -> None:
    pupil("Jordan", "Reyes")
    pupil("Jordana", "Smith")
    pupil("Alex", "Reyes-Ortiz")
    pupil("Sam", "Lee")
    other = with_role(Role.COACH, email="other@school.test")
    StudentFactory(coach=other, user__first_name="Jordan", user__last_name="Reyes")
    client = signed_in(coach)

    assert names(client.get("/coach/", {"q": "reyes"}).content.decode()) == [
        "Jordan Reyes",
        "Alex Reyes-Ortiz",
    ]
    assert names(client.get("/coach/", {"q": "Jordan reyes"}).content.decode()) == ["Jordan Reyes"]
    nobody = client.get("/coach/", {"q": "Zed"}).content.decode()
    assert names(nobody) == []
    assert "No student matches these filters." in nobody


def test_a_choice_that_is_not_one_is_shown_and_the_search_still_applies(coach, pupil) -> None:
    pupil("Jordan", "Reyes")
    pupil("Sam", "Lee")

    response = signed_in(coach).get("/coach/", {"q": "reyes", "sort": "loudest"})

    assert response.status_code == 200
    assert names(response.content.decode()) == ["Jordan Reyes"]
    assert "Select a valid choice." in response.content.decode()


def test_most_urgent_first_puts_a_deadline_before_a_failed_exam_before_silence(
    coach, pupil
) -> None:
    quiet = pupil("Quinn", "Adams", enrolled_at=timezone.now() - timedelta(days=30))
    CoachNote.objects.filter(student=quiet).delete()  # no contact for 30 days
    failed = pupil("Fay", "Baker")
    ExamAttemptFactory(student=failed)
    offered = pupil("Omar", "Clark")
    JobApplicationFactory(
        student=offered,
        status=JobApplicationStatus.OFFERED,
        respond_by=timezone.localdate() + timedelta(days=1),
    )
    pupil("Una", "Able")

    page = signed_in(coach).get("/coach/").content.decode()

    assert names(page) == ["Omar Clark", "Fay Baker", "Quinn Adams", "Una Able"]


def test_it_sorts_by_last_name(coach, pupil) -> None:
    pupil("Zoe", "Young")
    failed = pupil("Ann", "Zimmer")
    ExamAttemptFactory(student=failed)
    pupil("Bo", "Able")

    page = signed_in(coach).get("/coach/", {"sort": "name"}).content.decode()

    assert names(page) == ["Bo Able", "Zoe Young", "Ann Zimmer"]


def test_it_sorts_by_least_progress_first_with_no_requirements_last(coach, pupil, edition) -> None:
    def with_sticks(student, count: int) -> None:
        ProcedureLogFactory(
            externship=ExternshipFactory(student=student), kind="venipuncture", count=count
        )

    halfway = pupil("Hal", "Way")
    with_sticks(halfway, 30)  # all venipunctures, no capillary sticks: 50%
    started = pupil("Sta", "Rted")
    with_sticks(started, 6)  # 10%
    pupil("Nil", "Zero")  # 0%
    unset = pupil("Uns", "Et")
    unset.requirement_set = None
    unset.save(update_fields=["requirement_set"])

    page = signed_in(coach).get("/coach/", {"sort": "progress"}).content.decode()

    assert names(page) == ["Nil Zero", "Sta Rted", "Hal Way", "Uns Et"]


def test_pages_of_25_keep_the_search_and_the_sort_in_their_links(coach, pupil) -> None:
    for n in range(30):
        pupil("Robin", f"Ng{n:02d}")
    pupil("Sam", "Other")
    client = signed_in(coach)

    first = client.get("/coach/", {"q": "robin", "sort": "name"}).content.decode()
    assert len(names(first)) == 25
    assert names(first)[0] == "Robin Ng00"
    assert "30 students, 1 to 25 shown" in first
    assert "Page 1 of 2" in first
    assert 'href="?q=robin&amp;sort=name&amp;page=2"' in first

    second = client.get("/coach/", {"q": "robin", "sort": "name", "page": "2"}).content.decode()
    assert names(second) == [f"Robin Ng{n}" for n in range(25, 30)]
    assert 'href="?q=robin&amp;sort=name&amp;page=1"' in second
    # A page past the end shows the last one; a page that is not a number, the first.
    assert names(client.get("/coach/", {"q": "robin", "page": "9"}).content.decode())[-1] == (
        "Robin Ng29"
    )
    assert "Page 1 of 2" in client.get("/coach/", {"q": "robin", "page": "x"}).content.decode()


def test_progress_is_one_bar_per_requirement_with_its_words(coach, pupil) -> None:
    student = pupil("Jordan", "Reyes")
    placed = ExternshipFactory(student=student)
    ProcedureLogFactory(externship=placed, kind="venipuncture", count=12)
    HourLogFactory(externship=placed)  # hours do not count for phlebotomy

    page = signed_in(coach).get("/coach/").content.decode()

    bars = re.findall(r'<progress max="100" value="(\d+)" aria-label="([^"]+)"', page)
    assert bars == [
        ("40", "Successful venipunctures: 12 of 30 venipunctures; 18 venipunctures to go"),
        (
            "0",
            "Successful capillary or finger sticks: 0 of 10 capillary or finger sticks; "
            "10 capillary or finger sticks to go",
        ),
    ]


def test_the_document_flag_names_the_document_and_its_date(coach, pupil) -> None:
    student = pupil("Jordan", "Reyes")
    soon = timezone.localdate() + timedelta(days=5)
    ComplianceDocumentFactory(student=student, kind="tb_test", expires_on=soon)
    # An older TB test, long expired, was replaced by the one expiring soon: not named again.
    ComplianceDocumentFactory(
        student=student, kind="tb_test", expires_on=soon - timedelta(days=365)
    )

    client = signed_in(coach)
    said = f"TB test expires on {soon:%b} {soon.day}."
    assert said in client.get("/coach/").content.decode()
    assert said in client.get(f"/coach/students/{student.pk}/").content.decode()


def _flagged_caseload(pupil, first: int, count: int) -> None:
    """`count` students with every kind of record the page reads: requirements and approved
    logs, a failed exam, an offer due, a document expiring."""
    for n in range(first, first + count):
        student = pupil("Lee", f"Many{n:03d}")
        HourLogFactory(externship=ExternshipFactory(student=student))
        ExamAttemptFactory(student=student)
        JobApplicationFactory(
            student=student,
            status=JobApplicationStatus.OFFERED,
            respond_by=timezone.localdate() + timedelta(days=2),
        )
        ComplianceDocumentFactory(
            student=student, kind="tb_test", expires_on=timezone.localdate() + timedelta(days=9)
        )


@pytest.mark.parametrize("sort", ["urgent", "name", "progress"])
def test_the_page_reads_as_many_queries_for_3_students_as_for_40(coach, pupil, sort) -> None:
    # 8 queries: the session, its user and their roles; the caseload (its cohorts, and its rows,
    # read once); the flags' facts; the requirements and
    # the evidence of the page's students (of every student when sorting by progress); the
    # header's "is this user a student" question.
    client = signed_in(coach)
    _flagged_caseload(pupil, 0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/coach/", {"sort": sort}).status_code == 200
    _flagged_caseload(pupil, 3, 37)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/coach/", {"sort": sort}).content.decode()

    assert len(names(page)) == 25
    assert len(few) == 8, "\n".join(q["sql"][:150] for q in few.captured_queries)
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)
