"""Certificates of completion: issued only once the student graduated (409 before), the PDF says
who, what, when and how to verify it, and the verification page shows only the holder, program
and date, or that the certificate was revoked."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from backend.api import TokenRateThrottle
from documents.models import Certificate
from documents.services import certificate_issue, certificate_revoke, qr_data_uri
from enrollment.models import EnrollmentPeriod, PeriodEnd, Student, StudentStage
from externships.models import Requirement
from tests.conftest import client_for, with_role
from tests.documents.conftest import graduate, pdf_pages
from tests.factories import HourLogFactory, StudentFactory, exam_ready_student

pytestmark = pytest.mark.django_db


def test_it_gives_the_graduate_their_certificate_with_a_verification_code(settings) -> None:
    settings.SITE_URL = "https://pathway.example"
    student = graduate(
        user__first_name="Gale", user__last_name="Graduate", cohort__program__name="Phlebotomy"
    )
    response = client_for(student.user).get(f"/api/v1/students/{student.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (text,) = pdf_pages(response.content)
    certificate = Certificate.objects.get(student=student)
    yesterday = timezone.localdate() - timedelta(days=1)
    for expected in (
        "Pathway Career Institute",
        "Certificate of Completion",
        "Gale Graduate",
        "Phlebotomy",
        "NHA CPT",
        yesterday.strftime("%B %-d, %Y"),
        "8 clinical hours completed",
        certificate.code,
        f"https://pathway.example/verify/{certificate.code}/",
    ):
        assert expected in text, expected
    assert len(certificate.code) >= 22  # 128 random bits


def test_it_embeds_the_fonts_shipped_with_the_project() -> None:
    student = graduate()
    response = client_for(student.user).get(f"/api/v1/students/{student.pk}/certificate.pdf")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    # An embedded subset ("ABCDEF+") of the @font-face family loaded from documents/fonts; a
    # system font would carry its own name (DejaVuSans, ...).
    assert fonts == {f for f in fonts if re.fullmatch(r"/[A-Z]{6}\+Pathway-Sans(-Bold)?", f)}
    assert fonts


def test_it_keeps_one_certificate_however_often_it_is_downloaded() -> None:
    student = graduate()
    client = client_for(student.user)
    first = client.get(f"/api/v1/students/{student.pk}/certificate.pdf")
    second = client.get(f"/api/v1/students/{student.pk}/certificate.pdf")
    assert first.status_code == second.status_code == 200
    assert Certificate.objects.filter(student=student).count() == 1


def test_it_refuses_a_certificate_before_completion_with_409() -> None:
    student = exam_ready_student()  # requirements met, but not graduated
    response = client_for(student.user).get(f"/api/v1/students/{student.pk}/certificate.pdf")
    assert response.status_code == 409
    assert "graduated" in response.json()["detail"]
    assert not Certificate.objects.exists()


def test_it_hides_other_students_certificates_with_404() -> None:
    owner, other = graduate(), StudentFactory()
    coach_of_someone_else = with_role(Role.COACH)
    for user in (other.user, coach_of_someone_else):
        response = client_for(user).get(f"/api/v1/students/{owner.pk}/certificate.pdf")
        assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_it_gives_the_coach_and_an_admin_the_certificate(admin_user, coach) -> None:
    student = graduate(coach=coach)
    for user in (coach, admin_user):
        response = client_for(user).get(f"/api/v1/students/{student.pk}/certificate.pdf")
        assert response.status_code == 200, user


def test_it_refuses_supervisors_and_anonymous_visitors(supervisor, api) -> None:
    student = graduate()
    assert (
        client_for(supervisor).get(f"/api/v1/students/{student.pk}/certificate.pdf").status_code
        == 403
    )
    assert api.get(f"/api/v1/students/{student.pk}/certificate.pdf").status_code in (401, 403)


def test_the_verification_page_shows_the_holder_program_and_date_and_nothing_more(client) -> None:
    student = graduate(user__first_name="Gale", user__last_name="Graduate")
    certificate = certificate_issue(student=student, by=None)
    page = client.get(f"/verify/{certificate.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Valid." in html
    assert "Gale Graduate" in html
    assert "Phlebotomy" in html
    assert certificate.completed_on.strftime("%B %-d, %Y") in html
    assert student.user.email not in html  # nothing more: no email, hours or exam
    assert "hours" not in html.lower()


def test_a_revoked_certificate_fails_verification(client, admin_user) -> None:
    student = graduate()
    certificate = certificate_issue(student=student, by=None)
    certificate_revoke(certificate=certificate, by=admin_user, reason="Issued in error.")
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "This certificate was revoked" in html
    assert "Valid." not in html
    assert str(student.user) not in html
    # And the student cannot download it again: only an admin issues anew.
    response = client_for(student.user).get(f"/api/v1/students/{student.pk}/certificate.pdf")
    assert response.status_code == 409
    assert "revoked" in response.json()["detail"]


def test_an_unknown_code_is_a_404(client, db) -> None:
    response = client.get("/verify/not-a-real-code/")
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()


def test_it_stops_guessing_verification_codes(client, monkeypatch) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    certificate = certificate_issue(student=graduate(), by=None)

    codes = [client.get(f"/verify/guess-{n}/").status_code for n in range(2)]
    # The right code now comes too late from this address; another address still verifies.
    refused = client.get(f"/verify/{certificate.code}/")

    assert codes == [404, 404]
    assert refused.status_code == 429
    assert "Valid." not in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 60
    other = Client(REMOTE_ADDR="10.0.0.9").get(f"/verify/{certificate.code}/")
    assert other.status_code == 200


def test_it_refuses_a_revocation_without_a_reason(admin_user) -> None:
    from backend.errors import RuleViolation

    certificate = certificate_issue(student=graduate(), by=None)
    with pytest.raises(RuleViolation):
        certificate_revoke(certificate=certificate, by=admin_user, reason="  ")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_an_admin_may_issue_anew_after_a_revocation(admin_user) -> None:
    student = graduate()
    old = certificate_issue(student=student, by=None)
    certificate_revoke(certificate=old, by=admin_user, reason="Name misspelt.")
    new = certificate_issue(student=student, by=admin_user, anew=True)
    assert new.code != old.code


def test_the_qr_code_is_made_at_issue_and_again_when_the_site_address_changes(settings) -> None:
    settings.SITE_URL = "https://old.example"
    certificate = certificate_issue(student=graduate(), by=None)
    assert certificate.qr == qr_data_uri(f"https://old.example/verify/{certificate.code}/")
    settings.SITE_URL = "https://new.example"
    student = certificate.student
    (text,) = pdf_pages(
        client_for(student.user).get(f"/api/v1/students/{student.pk}/certificate.pdf").content
    )
    assert f"https://new.example/verify/{certificate.code}/" in text
    certificate.refresh_from_db()
    assert certificate.qr == qr_data_uri(f"https://new.example/verify/{certificate.code}/")


def test_it_reads_a_certificate_in_a_fixed_number_of_queries() -> None:
    student = graduate()
    client = client_for(student.user)
    client.get(f"/api/v1/students/{student.pk}/certificate.pdf")  # issued here
    # The student (visible to the user); in a savepoint, the student locked and their latest
    # certificate; then progress: approved evidence (one union) and the requirements.
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/v1/students/{student.pk}/certificate.pdf")
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == 5


def graduated_on_paper() -> object:
    """A student the data calls graduated (their period closed as graduated) whose approved logs
    fall short: one approved 8-hour shift of the 16 hours their edition asks, the second shift
    still pending."""
    today = timezone.localdate()
    student = exam_ready_student(period=today - timedelta(days=40))
    Requirement.objects.filter(requirement_set=student.requirement_set).update(params={"hours": 16})
    HourLogFactory(
        externship=student.externships.get(), date=today - timedelta(days=2), status="pending"
    )
    Student.objects.filter(pk=student.pk).update(stage=StudentStage.GRADUATED)
    EnrollmentPeriod.objects.filter(student=student).update(
        ended_on=today - timedelta(days=1), end_reason=PeriodEnd.GRADUATED
    )
    return student


def test_it_refuses_a_certificate_whatever_the_stage_while_the_approved_logs_fall_short(
    admin_user, coach
) -> None:
    student = graduated_on_paper()
    Student.objects.filter(pk=student.pk).update(coach=coach)
    for user in (student.user, coach, admin_user):
        response = client_for(user).get(f"/api/v1/students/{student.pk}/certificate.pdf")
        assert response.status_code == 409, user
        assert response.json()["detail"].endswith("has not met them yet: 8 hours to go.")
    assert not Certificate.objects.exists()


def test_the_admin_certificate_pages_refuse_a_student_whose_approved_logs_fall_short(
    admin_user,
) -> None:
    student = graduated_on_paper()
    client = Client()
    client.force_login(admin_user)
    said = {}
    for model, action, pk in [
        ("student", "student_certificates", student.pk),
        ("cohort", "export_certificates", student.cohort_id),
    ]:
        response = client.post(
            reverse(f"admin:enrollment_{model}_changelist"),
            {"action": action, "_selected_action": [pk]},
            follow=True,
        )
        assert response.status_code == 200  # back on the list, with the reason and no PDF
        assert response["Content-Type"].startswith("text/html")
        [said[action]] = [str(message) for message in response.context["messages"]]
    assert said["student_certificates"].endswith("has not met them yet: 8 hours to go.")
    assert said["export_certificates"].endswith("no graduate has a certificate.")
    assert not Certificate.objects.exists()
