"""The admin: roster and certificate actions on cohorts and students, the export progress page,
and revoking a certificate with a reason."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from documents.exports import export_start
from documents.models import Certificate, ExportJob
from documents.services import certificate_issue, certificate_revoke
from tests.conftest import with_role
from tests.documents.conftest import graduate, pdf_pages
from tests.factories import CohortFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _action(client: Client, model: str, action: str, pks: list[int]) -> object:
    return client.post(
        reverse(f"admin:enrollment_{model}_changelist"),
        {"action": action, "_selected_action": pks},
    )


def test_the_roster_action_gives_a_small_cohort_its_pdf_at_once(signed_in) -> None:
    cohort = CohortFactory(name="Small")
    student = StudentFactory(cohort=cohort)
    response = _action(signed_in, "cohort", "export_roster", [cohort.pk])
    assert response["Content-Type"] == "application/pdf"
    assert student.user.email in pdf_pages(response.content)[0]


def test_the_roster_action_sends_a_large_cohort_to_its_progress_page(
    signed_in, settings, django_capture_on_commit_callbacks
) -> None:
    settings.PDF_SYNC_MAX_STUDENTS = 1
    cohort = CohortFactory()
    StudentFactory.create_batch(2, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(signed_in, "cohort", "export_roster", [cohort.pk])
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:documents_exportjob_progress", args=[job.pk])
    page = signed_in.get(response["Location"]).content.decode()
    assert 'value="100"' in page
    assert "Download the PDF" in page
    download = signed_in.get(reverse("admin:documents_exportjob_download", args=[job.pk]))
    assert len(pdf_pages(b"".join(download.streaming_content))) == 1


def test_the_progress_page_refreshes_itself_until_the_file_is_ready(signed_in) -> None:
    job = ExportJob.objects.create(kind="roster", cohort=CohortFactory(), done=1, total=4)
    page = signed_in.get(reverse("admin:documents_exportjob_progress", args=[job.pk]))
    html = page.content.decode()
    assert 'value="25"' in html
    assert 'http-equiv="refresh"' in html  # without JavaScript
    assert f"/api/v1/exports/{job.pk}/" in html  # with it


def test_the_student_action_gives_graduates_their_certificates(signed_in) -> None:
    done, not_yet = graduate(), StudentFactory()
    response = _action(signed_in, "student", "student_certificates", [done.pk, not_yet.pk])
    (page,) = pdf_pages(response.content)
    assert str(done.user) in page
    assert Certificate.objects.filter(student=not_yet).count() == 0


def test_an_admin_revokes_a_certificate_with_a_reason(signed_in, admin_user) -> None:
    certificate = certificate_issue(student=graduate(), by=None)
    url = reverse("admin:documents_certificate_revoke", args=[certificate.pk])
    assert signed_in.post(url, {"reason": ""}).status_code == 200  # the form again, with errors
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert signed_in.post(url, {"reason": "Issued in error."}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == admin_user
    assert certificate.revoke_reason == "Issued in error."


def test_an_admin_issues_a_new_certificate_after_a_revocation(signed_in, admin_user) -> None:
    old = certificate_issue(student=graduate(), by=None)
    certificate_revoke(certificate=old, by=admin_user, reason="Name misspelt.")
    response = signed_in.post(reverse("admin:documents_certificate_reissue", args=[old.pk]))
    new = Certificate.objects.get(revoked_at=None)
    assert response["Location"] == reverse("admin:documents_certificate_change", args=[new.pk])
    assert new.code != old.code
    assert signed_in.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", [None, Role.STUDENT, Role.COACH, Role.SUPERVISOR, "staff coach"])
def test_the_documents_admin_pages_turn_away_everyone_but_admins(role) -> None:
    # The API and page matrix (tests/hardening) leave /admin/ out: these are the admin pages the
    # documents app adds. A "staff coach" may sign in to the admin but holds no admin role.
    client = Client()
    if role == "staff coach":
        client.force_login(with_role(Role.COACH, is_staff=True))
    elif role:
        client.force_login(with_role(role))
    certificate = certificate_issue(student=graduate(), by=None)
    certificate_revoke(certificate=certificate, by=with_role(Role.ADMIN), reason="Name misspelt.")
    job = ExportJob.objects.create(kind="roster", cohort=CohortFactory())
    pages = [
        ("get", "documents_exportjob_progress", job.pk),
        ("get", "documents_exportjob_download", job.pk),
        ("get", "documents_certificate_revoke", certificate.pk),
        ("post", "documents_certificate_revoke", certificate.pk),
        ("get", "documents_certificate_reissue", certificate.pk),
        ("post", "documents_certificate_reissue", certificate.pk),
    ]
    for method, name, pk in pages:
        response = getattr(client, method)(reverse(f"admin:{name}", args=[pk]), {"reason": "x"})
        assert response.status_code == 302, (method, name)
        assert response["Content-Type"] != "application/pdf"
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "Name misspelt."
    assert Certificate.objects.count() == 1  # no new certificate issued


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_every_link_to_an_exports_file_downloads_the_pdf(
    signed_in, settings, django_capture_on_commit_callbacks
) -> None:
    # The job's page used to link the file's storage path (/exports/roster-N.pdf), which no
    # address serves: a 404. Each page that names the file now links the admin's download.
    settings.PDF_SYNC_MAX_STUDENTS = 1
    cohort = CohortFactory(name="Autumn")
    students = StudentFactory.create_batch(2, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        _action(signed_in, "cohort", "export_roster", [cohort.pk])
    job = ExportJob.objects.get()
    pages = [
        reverse("admin:documents_exportjob_progress", args=[job.pk]),
        reverse("admin:documents_exportjob_change", args=[job.pk]),
        reverse("admin:documents_exportjob_changelist"),
    ]
    download = reverse("admin:documents_exportjob_download", args=[job.pk])
    for url in pages:
        html = signed_in.get(url).content.decode()
        assert job.file.name not in "".join(_links(html)), url  # no link to the stored path
        assert download in _links(html), url
    response = signed_in.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="roster-{cohort.pk}.pdf"'
    text = "".join(pdf_pages(b"".join(response.streaming_content)))
    assert all(student.user.email in text for student in students)


def test_a_job_not_ready_yet_offers_no_download(signed_in) -> None:
    job = ExportJob.objects.create(kind="roster", cohort=CohortFactory(), done=1, total=4)
    html = signed_in.get(reverse("admin:documents_exportjob_change", args=[job.pk]))
    assert "not ready yet" in html.content.decode()
    response = signed_in.get(reverse("admin:documents_exportjob_download", args=[job.pk]))
    assert response.status_code == 302  # back to the progress page
    assert response["Location"] == reverse("admin:documents_exportjob_progress", args=[job.pk])


def test_an_export_whose_file_is_gone_says_so_instead_of_failing(
    signed_in, settings, django_capture_on_commit_callbacks, admin_user
) -> None:
    settings.PDF_SYNC_MAX_STUDENTS = 1
    cohort = CohortFactory()
    StudentFactory.create_batch(2, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(kind="roster", cohort=cohort, by=admin_user)
    job.refresh_from_db()
    job.file.storage.delete(job.file.name)

    response = signed_in.get(
        reverse("admin:documents_exportjob_download", args=[job.pk]), follow=True
    )

    assert response.status_code == 200
    assert "gone from storage; start the export again" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "staff given the permission"])
def test_only_admins_download_an_export(
    who, settings, django_capture_on_commit_callbacks, admin_user
) -> None:
    # A staff account granted "view export job" by hand is still not an admin: rosters and
    # certificates are every student's record.
    settings.PDF_SYNC_MAX_STUDENTS = 1
    cohort = CohortFactory()
    StudentFactory.create_batch(2, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(kind="roster", cohort=cohort, by=admin_user)
    job.refresh_from_db()
    assert job.status == "ready"
    client = Client()
    if who != "anonymous":
        staff = with_role(Role.COACH, is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="view_exportjob"))
        client.force_login(staff)
    for name in ("download", "change", "progress"):
        response = client.get(reverse(f"admin:documents_exportjob_{name}", args=[job.pk]))
        assert response.status_code in (302, 403), name
        assert response.get("Content-Type") != "application/pdf", name
