"""Background exports: a cohort over PDF_SYNC_MAX_STUDENTS gets a job instead of a PDF, the job
reports progress until the file is ready, the file replaces the previous export, and a batch of
certificates comes as one PDF with a page per graduate."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from documents.models import Certificate, ExportJob
from documents.services import certificate_issue, certificate_revoke
from tests.conftest import client_for
from tests.documents.conftest import graduate, pdf_pages
from tests.factories import CohortFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings: object) -> None:
    settings.PDF_SYNC_MAX_STUDENTS = 2


def test_a_large_roster_is_exported_in_the_background_with_progress(
    admin_user, large, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory(name="Large")
    students = [StudentFactory(cohort=cohort) for _ in range(3)]
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/api/v1/cohorts/{cohort.pk}/roster.pdf")
    assert response.status_code == 202
    job = response.json()
    assert response["Location"] == f"/api/v1/exports/{job['id']}/"
    assert job["kind"] == "roster"
    # The task ran at once (tests run tasks immediately): the job is done.
    status = client.get(response["Location"]).json()
    assert status["status"] == "ready"
    assert status["percent"] == 100
    assert status["done"] == status["total"]
    download = client.get(status["download_url"])
    assert download.status_code == 200
    text = "".join(pdf_pages(b"".join(download.streaming_content)))
    for student in students:
        assert student.user.email in text


def test_the_next_export_replaces_the_file(admin_user, django_capture_on_commit_callbacks) -> None:
    cohort = CohortFactory()
    StudentFactory(cohort=cohort)
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk})
    old = ExportJob.objects.get(pk=first.json()["id"])
    old_path = old.file.path
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post("/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk})
    assert second.status_code == 202
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [second.json()["id"]]
    assert not os.path.exists(old_path)
    assert client.get(f"/api/v1/exports/{old.pk}/").status_code == 404


def test_certificates_for_a_cohort_come_as_one_pdf_a_page_per_graduate(
    admin_user, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory()
    graduates = [graduate(cohort=cohort) for _ in range(3)]
    revoked = certificate_issue(student=graduates[2], by=None)
    certificate_revoke(certificate=revoked, by=admin_user, reason="Issued in error.")
    StudentFactory(cohort=cohort)  # not graduated: no certificate
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports/", {"kind": "certificates", "cohort": cohort.pk})
    assert response.status_code == 202
    job = client.get(response["Location"]).json()
    assert job["status"] == "ready"
    pages = pdf_pages(b"".join(client.get(job["download_url"]).streaming_content))
    assert len(pages) == 2
    # In roster order: by last name as text ("Person101" before "Person99"), whatever numbers
    # the factories reached in earlier tests.
    in_order = sorted(graduates[:2], key=lambda s: (s.user.last_name, s.user.first_name, s.pk))
    for page, student in zip(pages, in_order, strict=True):
        assert str(student.user) in page
        assert Certificate.objects.get(student=student, revoked_at=None).code in page


def test_it_refuses_certificates_for_a_cohort_without_graduates(admin_user) -> None:
    cohort = CohortFactory()
    StudentFactory(cohort=cohort)
    response = client_for(admin_user).post(
        "/api/v1/exports/", {"kind": "certificates", "cohort": cohort.pk}
    )
    assert response.status_code == 409
    assert not ExportJob.objects.exists()


def test_it_rejects_a_bad_export_request_with_field_errors(admin_user) -> None:
    response = client_for(admin_user).post("/api/v1/exports/", {"kind": "poster", "cohort": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "cohort"}
    assert not ExportJob.objects.exists()


def test_an_export_whose_worker_died_does_not_block_the_next_one(
    admin_user, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory()
    StudentFactory(cohort=cohort)
    lost = ExportJob.objects.create(
        kind="roster",
        cohort=cohort,
        status="running",
        created_at=timezone.now() - timedelta(minutes=31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            "/api/v1/exports/", {"kind": "roster", "cohort": cohort.pk}
        )
    assert response.status_code == 202
    assert response.json()["id"] != lost.pk
    assert ExportJob.objects.get(pk=response.json()["id"]).status == "ready"
    assert not ExportJob.objects.filter(pk=lost.pk).exists()  # failed, then replaced


def test_a_download_before_the_file_is_ready_is_a_409(admin_user) -> None:
    job = ExportJob.objects.create(kind="roster", cohort=CohortFactory(), total=3, done=1)
    response = client_for(admin_user).get(f"/api/v1/exports/{job.pk}/download/")
    assert response.status_code == 409
    assert "33%" in response.json()["detail"]


def test_exports_are_for_admins_only(coach, student) -> None:
    job = ExportJob.objects.create(kind="roster", cohort=CohortFactory())
    for user in (coach, student):
        client = client_for(user)
        assert client.get(f"/api/v1/exports/{job.pk}/").status_code == 403
        assert (
            client.post("/api/v1/exports/", {"kind": "roster", "cohort": job.cohort_id}).status_code
            == 403
        )
