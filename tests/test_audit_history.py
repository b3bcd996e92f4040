"""Field history: every change to applications, enrollments, logs, placements and consent keeps
who, when and what; the admin shows it and nothing in the admin or the API changes it."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from careers.services import placement_verify
from enrollment.applying import application_submit
from enrollment.models import Application, ConsentRecord, EnrollmentPeriod, Student
from externships.models import HourLog
from externships.review_links import review_link_token
from externships.services import externship_create, log_decide
from students.services import student_withdraw
from tests.conftest import client_for
from tests.factories import (
    CohortFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    JobApplicationFactory,
    JobPlacementFactory,
    SiteFactory,
    StudentFactory,
    applicant,
    complete_documents,
)

pytestmark = pytest.mark.django_db

AUDITED = [
    "Application",
    "ConsentRecord",
    "Student",
    "Externship",
    "HourLog",
    "JobPlacement",
    "ExamAttempt",
    "JobApplication",
    "Unavailability",
    "Cohort",
    "ComplianceDocument",
    "User",
]


def changes(record) -> list[tuple[str, object, list[str]]]:
    """Each history entry, oldest first: its kind (+ ~ -), who, and the fields it changed."""
    entries = list(record.audit_trail.order_by("history_date", "history_id"))
    out, previous = [], None
    for entry in entries:
        fields = [c.field for c in entry.diff_against(previous).changes] if previous else []
        out.append((entry.history_type, entry.history_user, fields))
        previous = entry
    return out


def test_it_keeps_the_applicant_and_the_staff_member_who_changed_an_application(
    admin_user,
) -> None:
    anonymous = APIClient()
    body = {**applicant(1, consent={"sms": True, "email": False, "phone": False})}
    created = anonymous.post(
        "/api/v1/applications/", {**body, "cohort": CohortFactory(capacity=1).pk}
    ).json()
    application = Application.objects.get(pk=created["id"])

    staff = client_for(admin_user)
    assert staff.post(f"/api/v1/applications/{application.pk}/withdraw/").status_code == 200

    # Created (with its offer) by the applicant, who has no account; withdrawn by the admin.
    assert changes(application) == [("+", None, []), ("~", admin_user, ["status"])]
    newest = application.audit_trail.first()
    assert newest.status == "withdrawn"
    assert timezone.now() - newest.history_date < timedelta(minutes=1)
    consent = ConsentRecord.objects.get(application=application)
    assert changes(consent) == [("+", None, [])]
    assert not hasattr(newest, "status_token")  # the secret stays out of the history


def test_a_supervisor_deciding_through_the_emailed_link_is_the_one_recorded(supervisor) -> None:
    log = HourLogFactory(status="pending", externship=ExternshipFactory(supervisor=supervisor))

    response = Client().post(
        f"/review/link/{review_link_token(log, supervisor)}/", {"decision": "approved"}
    )

    assert response.status_code == 302
    assert changes(log)[-1] == ("~", supervisor, ["decided_at", "status"])


def test_a_service_run_outside_a_request_records_its_acting_user(admin_user, supervisor) -> None:
    log = HourLogFactory(status="pending", externship=ExternshipFactory(supervisor=supervisor))
    placement = JobPlacementFactory()

    log_decide(log=log, decision="needs_info", reason="Which unit?", by=supervisor)
    placement_verify(placement=placement, by=admin_user)

    assert changes(log)[-1] == ("~", supervisor, ["decided_at", "decision_reason", "status"])
    assert changes(placement)[-1] == ("~", admin_user, ["verified_at", "verified_by"])


def test_changes_that_used_to_be_bulk_updates_are_recorded(admin_user, supervisor) -> None:
    student = StudentFactory()
    today = timezone.localdate()
    period = EnrollmentPeriod.objects.create(
        student=student, cohort=student.cohort, started_on=today - timedelta(days=30)
    )
    complete_documents(student)
    site = SiteFactory(programs=[student.cohort.program], supervisors=[supervisor])
    externship = externship_create(
        student=student, site=site, supervisor=supervisor, starts_on=today, ends_on=today
    )
    assert changes(Student.objects.get(pk=student.pk))[-1][2] == ["stage"]

    student_withdraw(student=student, on=today, actor=admin_user, reason="Moved away")

    assert changes(externship)[-1] == ("~", admin_user, ["status"])
    assert changes(period)[-1] == ("~", admin_user, ["end_reason", "ended_on"])
    assert externship.audit_trail.first().status == "cancelled"


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_exam_results_job_offers_and_unavailability_keep_who_changed_them(
    coach, admin_user
) -> None:
    learner = StudentFactory(coach=coach)
    attempt = ExamAttemptFactory(student=learner, result="no_show")
    offer = JobApplicationFactory(student=learner)
    graduate = StudentFactory(coach=coach, stage="graduated")
    client = client_for(coach)

    failed = {"result": "failed", "scaled_score": 350}
    assert client.patch(f"/api/v1/exam-attempts/{attempt.pk}/", failed).status_code == 200
    offered = {"status": "offered", "respond_by": str(timezone.localdate() + timedelta(days=5))}
    assert client.patch(f"/api/v1/job-applications/{offer.pk}/", offered).status_code == 200
    unavailable = client_for(admin_user).post(
        "/api/v1/unavailabilities/",
        {
            "student": graduate.pk,
            "reason": "military",
            "documented_on": str(timezone.localdate()),
            "evidence_note": "Deployment orders",
        },
    )
    assert unavailable.status_code == 201

    # Written directly by the factories (nobody), then changed by the coach through the API.
    assert changes(attempt)[1:] == [("~", coach, ["result", "scaled_score"])]
    assert changes(offer)[1:] == [("~", coach, ["respond_by", "status", "status_changed_on"])]
    record = graduate.unavailability
    assert changes(record) == [("+", admin_user, [])]


def test_the_admin_shows_who_changed_what_and_when(signed_in, admin_user) -> None:
    created, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    assert (
        client_for(admin_user).post(f"/api/v1/applications/{created.pk}/withdraw/").status_code
        == 200
    )

    page = signed_in.get(reverse("admin:enrollment_application_history", args=[created.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert admin_user.email in html or str(admin_user) in html
    assert "offered" in html
    assert "withdrawn" in html
    assert "Revert" not in html


def test_the_admin_history_only_reads(signed_in) -> None:
    application, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    first = application.audit_trail.last()
    url = reverse(
        "admin:enrollment_application_simple_history", args=[application.pk, first.history_id]
    )

    assert signed_in.get(url).status_code == 200
    posted = signed_in.post(url, {"first_name": "Changed", "status": "submitted"})

    assert posted.status_code == 403
    application.refresh_from_db()
    assert (application.first_name, application.status) == ("Jamie", "offered")
    assert application.audit_trail.count() == 1  # nothing added


def test_no_admin_page_or_api_endpoint_serves_the_history_tables(admin_user) -> None:
    history_models = [
        m.audit_trail.model for m in admin.site._registry if hasattr(m, "audit_trail")
    ]
    assert {m.__name__ for m in history_models} >= {f"Historical{name}" for name in AUDITED}
    for model in history_models:
        assert model not in admin.site._registry
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    # The API is described by its generated schema: no history model appears in it.
    schema = client_for(admin_user).get("/api/schema/?format=json").content.decode()
    assert "Historical" not in schema
    assert "history_user" not in schema


def test_every_audited_model_has_a_history() -> None:
    from django.apps import apps

    for name in AUDITED:
        model = next(m for m in apps.get_models() if m.__name__ == name)
        assert model.audit_trail.model.__name__ == f"Historical{name}"
    assert HourLog.audit_trail.model._meta.get_field("history_user").null


def test_a_deleted_record_keeps_its_history(admin_user) -> None:
    # Withdrawing before the cohort starts deletes the enrollment period: it was never a start.
    student = StudentFactory()
    starts_on = timezone.localdate() + timedelta(days=10)
    period = EnrollmentPeriod.objects.create(
        student=student, cohort=student.cohort, started_on=starts_on
    )

    student_withdraw(student=student, on=timezone.localdate(), actor=admin_user, reason="Moved")

    assert not EnrollmentPeriod.objects.filter(pk=period.pk).exists()
    kinds = EnrollmentPeriod.audit_trail.filter(id=period.pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in kinds] == [("+", None), ("-", admin_user)]


def test_enrollment_periods_are_listed_in_the_admin_to_read_with_their_history(
    signed_in, admin_user
) -> None:
    student = StudentFactory()
    period = EnrollmentPeriod.objects.create(
        student=student, cohort=student.cohort, started_on=timezone.localdate()
    )
    student_withdraw(student=student, on=timezone.localdate(), actor=admin_user, reason="Moved")

    history = signed_in.get(
        reverse("admin:enrollment_enrollmentperiod_history", args=[period.pk])
    ).content.decode()
    change = reverse("admin:enrollment_enrollmentperiod_change", args=[period.pk])

    assert str(admin_user) in history
    assert "withdrawn" in history
    assert signed_in.get(change).status_code == 200  # to view
    assert signed_in.post(change, {"end_reason": "graduated"}).status_code == 403
    period.refresh_from_db()
    assert period.end_reason == "withdrawn"


def test_a_cohort_and_a_person_changed_through_the_api_show_who_in_the_admin(
    signed_in, admin_user, coach
) -> None:
    cohort = CohortFactory(capacity=3)
    api = client_for(admin_user)
    assert api.patch(f"/api/v1/cohorts/{cohort.pk}/", {"capacity": 5}).status_code == 200
    assert (
        api.patch(f"/api/v1/people/{coach.pk}/", {"time_zone": "America/Denver"}).status_code == 200
    )

    for url in (
        reverse("admin:enrollment_cohort_history", args=[cohort.pk]),
        reverse("admin:accounts_user_history", args=[coach.pk]),
    ):
        html = signed_in.get(url).content.decode()
        assert str(admin_user) in html or admin_user.email in html
    assert changes(cohort)[-1] == ("~", admin_user, ["capacity"])
    assert changes(coach)[-1] == ("~", admin_user, ["time_zone"])
    # An old version of a person opens to read, without their password.
    first = coach.audit_trail.last()
    old = reverse("admin:accounts_user_simple_history", args=[coach.pk, first.history_id])
    page = signed_in.get(old)
    assert page.status_code == 200
    assert coach.password not in page.content.decode()


def test_signing_in_adds_nothing_to_a_persons_history(coach) -> None:
    before = coach.audit_trail.count()

    assert Client().login(email=coach.email, password="correct-horse-battery")

    coach.refresh_from_db()
    assert coach.last_login is not None
    assert coach.audit_trail.count() == before
