"""Issuing under real concurrency: ten simultaneous first downloads of a graduate's certificate,
and two simultaneous export requests, on threads with their own connections (the student's and
the cohort's row lock on PostgreSQL, the IMMEDIATE write lock on SQLite)."""

import pytest

from documents.exports import export_start
from documents.models import Certificate, ExportJob
from documents.services import certificate_issue
from enrollment.models import Cohort, Student
from tests.concurrency import at_once
from tests.documents.conftest import graduate
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def issue(student_id: int) -> str:
    return certificate_issue(student=Student.objects.get(pk=student_id), by=None).code


def start(cohort_id: int) -> int:
    return export_start(kind="roster", cohort=Cohort.objects.get(pk=cohort_id), by=None).pk


def test_ten_simultaneous_first_downloads_issue_one_certificate() -> None:
    student = graduate()
    codes = at_once(issue, [(student.pk,)] * 10, threads=10)
    assert [c for c in codes if isinstance(c, Exception)] == []
    assert len(set(codes)) == 1
    assert Certificate.objects.filter(student=student).count() == 1


def test_simultaneous_export_requests_start_one_export(settings) -> None:
    # The export itself would run at commit; here only the requests race.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    cohort = StudentFactory().cohort
    jobs = at_once(start, [(cohort.pk,)] * 5, threads=5)
    assert [j for j in jobs if isinstance(j, Exception)] == []
    assert len(set(jobs)) == 1
    assert ExportJob.objects.count() == 1
