"""Hour and procedure logs over the API: the rules come back as field errors, each person sees only
the logs they should, and decisions are kept and final.

The cast: `student` logs at `placement`, a clinic where `supervisor` signs off and `coach` coaches
the student. `elsewhere` is another student's placement at another site with its own supervisor;
neither `student` nor `supervisor` may see anything of it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from externships.models import LogStatus, ProcedureLog
from tests.conftest import client_for, with_role
from tests.factories import (
    ExternshipFactory,
    HourLogFactory,
    ProcedureLogFactory,
    RequirementFactory,
    RequirementSetFactory,
    SiteFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
HOURS = "/api/v1/hour-logs/"
PROCEDURES = "/api/v1/procedure-logs/"


@pytest.fixture
def placement(student, supervisor, coach):
    site = SiteFactory(name="Main Street Clinic", supervisors=[supervisor])
    learner = StudentFactory(user=student, coach=coach)
    return ExternshipFactory(student=learner, site=site, supervisor=supervisor)


@pytest.fixture
def elsewhere(db):
    other_supervisor = with_role(Role.SUPERVISOR, email="preceptor@hospital.test")
    site = SiteFactory(name="County Hospital", supervisors=[other_supervisor])
    return ExternshipFactory(site=site, supervisor=other_supervisor)


def shift(externship, **overrides) -> dict:
    """Yesterday 08:00 to 16:30 with a 30-minute break: 8 hours."""
    return {
        "externship": externship.pk,
        "date": str(TODAY() - timedelta(days=1)),
        "start_time": "08:00",
        "end_time": "16:30",
        "break_minutes": 30,
        "activities": "Rooming patients, vital signs",
        **overrides,
    }


def pending(externship, **fields):
    return HourLogFactory(externship=externship, status=LogStatus.PENDING, **fields)


# -- logging -----------------------------------------------------------------------------------


def test_a_student_logs_a_shift_at_their_externship(student, placement) -> None:
    response = client_for(student).post(HOURS, shift(placement, notes="Busy day"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["externship"] == placement.pk
    assert body["start_time"] == "08:00"
    assert body["end_time"] == "16:30"
    assert body["minutes"] == 480
    assert body["hours"] == 8
    assert body["status"] == "pending"
    assert body["notes"] == "Busy day"
    assert body["decisions"] == []
    assert body["corrects"] is None


def test_it_rejects_a_future_date(student, placement) -> None:
    tomorrow = str(TODAY() + timedelta(days=1))
    response = client_for(student).post(HOURS, shift(placement, date=tomorrow))
    assert response.status_code == 400
    assert "future" in response.json()["date"][0]


def test_it_rejects_a_date_outside_the_externship(student, placement) -> None:
    before = str(placement.starts_on - timedelta(days=1))
    response = client_for(student).post(HOURS, shift(placement, date=before))
    assert response.status_code == 400
    assert "within the externship" in response.json()["date"][0]


def test_it_rejects_a_shift_overlapping_another(student, placement) -> None:
    client = client_for(student)
    assert client.post(HOURS, shift(placement)).status_code == 201
    response = client.post(
        HOURS, shift(placement, start_time="16:00", end_time="18:00", break_minutes=0)
    )
    assert response.status_code == 400
    assert "overlaps" in response.json()["start_time"][0]


def test_it_rejects_more_than_16_hours_in_a_day(student, placement) -> None:
    client = client_for(student)
    night = shift(placement, start_time="00:00", end_time="09:00", break_minutes=0)
    assert client.post(HOURS, night).status_code == 201
    response = client.post(
        HOURS, shift(placement, start_time="09:00", end_time="17:00", break_minutes=0)
    )
    assert response.status_code == 400
    assert "more than 16 hours" in response.json()["end_time"][0]


def test_it_rejects_an_end_before_the_start(student, placement) -> None:
    response = client_for(student).post(
        HOURS, shift(placement, start_time="14:00", end_time="09:00")
    )
    assert response.status_code == 400
    assert "after the start" in response.json()["end_time"][0]


def test_an_overnight_shift_ends_the_next_morning(student, placement) -> None:
    night = shift(placement, start_time="22:00", end_time="06:00", break_minutes=0)
    response = client_for(student).post(HOURS, {**night, "ends_next_day": True})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["start_time"], body["end_time"], body["ends_next_day"]) == ("22:00", "06:00", True)
    assert (body["minutes"], body["hours"]) == (480, 8.0)


def test_an_end_before_the_start_says_how_to_log_a_night_shift(student, placement) -> None:
    night = shift(placement, start_time="22:00", end_time="06:00", break_minutes=0)
    response = client_for(student).post(HOURS, night)
    assert response.status_code == 400
    assert "ending the next day" in response.json()["end_time"][0]


def test_a_shift_ending_the_next_day_must_end_before_its_start_time(student, placement) -> None:
    day_shift = shift(placement, start_time="08:00", end_time="16:00", ends_next_day=True)
    response = client_for(student).post(HOURS, day_shift)
    assert response.status_code == 400
    assert "ends before its start time" in response.json()["end_time"][0]


def test_a_night_shift_overlaps_the_next_mornings_shift(student, placement) -> None:
    client = client_for(student)
    two_days_ago = str(TODAY() - timedelta(days=2))
    night = shift(placement, date=two_days_ago, start_time="22:00", end_time="06:00")
    assert (
        client.post(HOURS, {**night, "break_minutes": 0, "ends_next_day": True}).status_code == 201
    )
    morning = shift(placement, start_time="05:00", end_time="13:00", break_minutes=0)
    response = client.post(HOURS, morning)
    assert response.status_code == 400
    assert "overlaps" in response.json()["start_time"][0]
    later = client.post(HOURS, {**morning, "start_time": "06:00", "end_time": "14:00"})
    assert later.status_code == 201, later.json()


def test_it_rejects_times_that_are_not_hh_mm(student, placement) -> None:
    response = client_for(student).post(HOURS, shift(placement, start_time="8 am"))
    assert response.status_code == 400
    assert "start_time" in response.json()


def test_it_treats_someone_elses_externship_as_unknown(student, placement, elsewhere) -> None:
    response = client_for(student).post(HOURS, shift(elsewhere))
    assert response.status_code == 400
    assert "does not exist" in response.json()["externship"][0]


def test_only_students_log_hours(supervisor, placement) -> None:
    assert client_for(supervisor).post(HOURS, shift(placement)).status_code == 403


def test_a_correction_names_the_rejected_log(student, supervisor, placement) -> None:
    rejected = pending(placement)
    client_for(supervisor).post(f"{HOURS}{rejected.pk}/reject/", {"reason": "Wrong day"})
    response = client_for(student).post(HOURS, shift(placement, corrects=rejected.pk))
    assert response.status_code == 201, response.json()
    assert response.json()["corrects"] == rejected.pk


def test_logs_have_no_edit_or_delete(student, admin_user, placement) -> None:
    log = pending(placement)
    for user in (student, admin_user):
        client = client_for(user)
        assert client.put(f"{HOURS}{log.pk}/", shift(placement)).status_code == 405
        assert client.patch(f"{HOURS}{log.pk}/", {"activities": "x"}).status_code == 405
        assert client.delete(f"{HOURS}{log.pk}/").status_code == 405


# -- who sees what -----------------------------------------------------------------------------


def test_a_supervisor_sees_only_the_logs_at_their_site(supervisor, placement, elsewhere) -> None:
    ours, theirs = pending(placement), pending(elsewhere)
    client = client_for(supervisor)
    listed = client.get(HOURS).json()
    assert [log["id"] for log in listed["results"]] == [ours.pk]
    assert listed["results"][0]["student_name"] == str(placement.student.user)
    assert client.get(f"{HOURS}{ours.pk}/").status_code == 200
    assert client.get(f"{HOURS}{theirs.pk}/").status_code == 404


def test_a_student_sees_only_their_own_logs(student, placement, elsewhere) -> None:
    ours, theirs = pending(placement), pending(elsewhere)
    client = client_for(student)
    assert [log["id"] for log in client.get(HOURS).json()["results"]] == [ours.pk]
    assert client.get(f"{HOURS}{theirs.pk}/").status_code == 404


def test_a_coach_sees_the_logs_of_their_caseload(coach, placement, elsewhere) -> None:
    ours, theirs = pending(placement), pending(elsewhere)
    client = client_for(coach)
    assert [log["id"] for log in client.get(HOURS).json()["results"]] == [ours.pk]
    assert client.get(f"{HOURS}{theirs.pk}/").status_code == 404


def test_an_admin_sees_every_log(admin_user, placement, elsewhere) -> None:
    pending(placement), pending(elsewhere)
    assert client_for(admin_user).get(HOURS).json()["count"] == 2


def test_an_applicant_reads_no_logs(placement) -> None:
    applicant = with_role(Role.APPLICANT, email="someone@example.com")
    assert client_for(applicant).get(HOURS).status_code == 403


def test_logs_filter_by_status_and_student(admin_user, placement, elsewhere) -> None:
    waiting = pending(placement)
    HourLogFactory(externship=placement, date=TODAY() - timedelta(days=2))
    pending(elsewhere)
    client = client_for(admin_user)
    by_status = client.get(HOURS, {"status": "pending", "student": placement.student_id}).json()
    assert [log["id"] for log in by_status["results"]] == [waiting.pk]
    assert client.get(HOURS, {"site": elsewhere.site_id}).json()["count"] == 1


# -- decisions ---------------------------------------------------------------------------------


def test_the_supervisor_approves_a_log(supervisor, placement) -> None:
    log = pending(placement)
    response = client_for(supervisor).post(f"{HOURS}{log.pk}/approve/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_at"] is not None
    [decision] = body["decisions"]
    assert decision["decision"] == "approved"
    assert decision["by"] == str(supervisor)
    assert decision["via"] == "login"


def test_a_student_cannot_approve_a_log(student, placement) -> None:
    log = pending(placement)
    assert client_for(student).post(f"{HOURS}{log.pk}/approve/").status_code == 403
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_a_supervisor_of_another_site_cannot_decide(supervisor, elsewhere) -> None:
    log = pending(elsewhere)
    assert client_for(supervisor).post(f"{HOURS}{log.pk}/approve/").status_code == 404
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_a_rejection_needs_a_reason(supervisor, placement) -> None:
    log = pending(placement)
    client = client_for(supervisor)
    response = client.post(f"{HOURS}{log.pk}/reject/", {})
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.post(f"{HOURS}{log.pk}/reject/", {"reason": "You were off that day"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "You were off that day"


def test_needs_info_goes_back_to_the_student_who_answers(student, supervisor, placement) -> None:
    log = pending(placement)
    client = client_for(supervisor)
    assert client.post(f"{HOURS}{log.pk}/needs-info/", {}).status_code == 400
    asked = client.post(f"{HOURS}{log.pk}/needs-info/", {"reason": "Which unit were you on?"})
    assert asked.json()["status"] == "needs_info"
    answered = client_for(student).post(f"{HOURS}{log.pk}/resubmit/", {"notes": "Pediatrics"})
    assert answered.status_code == 200
    assert answered.json()["status"] == "pending"
    assert "Pediatrics" in answered.json()["notes"]
    approved = client.post(f"{HOURS}{log.pk}/approve/").json()
    assert [d["decision"] for d in approved["decisions"]] == ["needs_info", "pending", "approved"]


def test_only_a_log_sent_back_can_be_resubmitted(student, placement) -> None:
    log = pending(placement)
    response = client_for(student).post(f"{HOURS}{log.pk}/resubmit/", {"notes": "More"})
    assert response.status_code == 409


def test_approving_an_approved_log_is_a_conflict_and_it_stays_frozen(supervisor, placement) -> None:
    log = pending(placement)
    client = client_for(supervisor)
    first = client.post(f"{HOURS}{log.pk}/approve/").json()
    assert client.post(f"{HOURS}{log.pk}/approve/").status_code == 409
    assert client.post(f"{HOURS}{log.pk}/reject/", {"reason": "Oops"}).status_code == 409
    assert client.post(f"{HOURS}{log.pk}/needs-info/", {"reason": "Hm"}).status_code == 409
    after = client.get(f"{HOURS}{log.pk}/").json()
    assert after["status"] == "approved"
    assert after["decided_at"] == first["decided_at"]
    assert len(after["decisions"]) == 1


def test_bulk_approve_approves_every_log_named(supervisor, placement) -> None:
    logs = [pending(placement, date=TODAY() - timedelta(days=n)) for n in (1, 2, 3)]
    response = client_for(supervisor).post(
        f"{HOURS}bulk-approve/", {"ids": [log.pk for log in logs]}
    )
    assert response.status_code == 200
    assert [log["status"] for log in response.json()] == ["approved"] * 3


def test_bulk_approve_approves_none_when_one_is_already_decided(supervisor, placement) -> None:
    waiting = pending(placement, date=TODAY() - timedelta(days=1))
    decided = HourLogFactory(externship=placement, date=TODAY() - timedelta(days=2))
    response = client_for(supervisor).post(
        f"{HOURS}bulk-approve/", {"ids": [waiting.pk, decided.pk]}
    )
    assert response.status_code == 409
    waiting.refresh_from_db()
    assert waiting.status == LogStatus.PENDING


def test_bulk_approve_treats_another_sites_log_as_unknown(supervisor, placement, elsewhere) -> None:
    ours, theirs = pending(placement), pending(elsewhere)
    response = client_for(supervisor).post(f"{HOURS}bulk-approve/", {"ids": [ours.pk, theirs.pk]})
    assert response.status_code == 400
    assert response.json()["ids"] == [f"No such logs: {theirs.pk}."]
    ours.refresh_from_db()
    assert ours.status == LogStatus.PENDING


def test_bulk_approve_needs_ids(supervisor) -> None:
    response = client_for(supervisor).post(f"{HOURS}bulk-approve/", {"ids": []})
    assert response.status_code == 400
    assert "ids" in response.json()


# -- procedure logs ----------------------------------------------------------------------------


def procedure(externship, **overrides) -> dict:
    return {
        "externship": externship.pk,
        "date": str(TODAY() - timedelta(days=1)),
        "kind": "venipuncture",
        "count": 3,
        "successful": True,
        **overrides,
    }


def test_a_student_logs_venipunctures(student, placement) -> None:
    response = client_for(student).post(PROCEDURES, procedure(placement))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["count"], body["successful"]) == ("venipuncture", 3, True)
    assert body["status"] == "pending"


def test_a_surgical_case_carries_its_specialty_and_role(student, placement) -> None:
    case = procedure(placement, kind="surgical_case", count=1, specialty="General")
    response = client_for(student).post(PROCEDURES, {**case, "role": "first_scrub"})
    assert response.status_code == 201, response.json()
    assert (response.json()["specialty"], response.json()["role"]) == ("general", "first_scrub")


def test_it_rejects_a_case_without_a_role(student, placement) -> None:
    case = procedure(placement, kind="surgical_case", count=1, specialty="general")
    response = client_for(student).post(PROCEDURES, case)
    assert response.status_code == 400
    assert "role" in response.json()


def on_edition(placement, *requirements: tuple[str, dict]) -> None:
    """Give the placement's student an edition made of these (kind, params) requirements."""
    edition = RequirementSetFactory(program=placement.student.cohort.program)
    for kind, params in requirements:
        RequirementFactory(requirement_set=edition, kind=kind, params=params)
    placement.student.requirement_set = edition
    placement.student.save()


CHECKLIST = ("competencies", {"items": ["Vital signs", "Injections", "EHR entry"]})
STICKS = ("procedures", {"procedure": "venipuncture", "count": 30})


def test_it_rejects_a_competency_without_its_name(student, placement) -> None:
    on_edition(placement, CHECKLIST)
    response = client_for(student).post(PROCEDURES, procedure(placement, kind="competency"))
    assert response.status_code == 400
    assert response.json()["competency"] == [
        "Choose the competency from your checklist: Vital signs, Injections, EHR entry."
    ]


def test_a_competency_is_stored_as_the_checklist_names_it(student, placement) -> None:
    on_edition(placement, CHECKLIST)
    body = procedure(placement, kind="competency", count=1, competency="  ehr ENTRY ")
    response = client_for(student).post(PROCEDURES, body)
    assert response.status_code == 201, response.json()
    assert response.json()["competency"] == "EHR entry"


def test_it_refuses_a_competency_off_the_checklist(student, placement) -> None:
    on_edition(placement, CHECKLIST)
    body = procedure(placement, kind="competency", count=1, competency="Juggling")
    response = client_for(student).post(PROCEDURES, body)
    assert response.status_code == 400
    assert "from your checklist" in response.json()["competency"][0]
    assert not ProcedureLog.objects.exists()


def test_it_refuses_a_kind_the_students_edition_does_not_count(student, placement) -> None:
    on_edition(placement, ("hours", {"hours": 160}), STICKS)
    case = procedure(placement, kind="surgical_case", specialty="general", role="first_scrub")
    response = client_for(student).post(PROCEDURES, case)
    assert response.status_code == 400
    edition = placement.student.requirement_set.edition
    assert response.json()["kind"] == [
        f"Your requirements ({edition}) count these procedures only: venipuncture."
    ]
    assert not ProcedureLog.objects.exists()


def test_an_hours_only_edition_refuses_every_procedure(student, placement) -> None:
    on_edition(placement, ("hours", {"hours": 120}))
    response = client_for(student).post(PROCEDURES, procedure(placement))
    assert response.status_code == 400
    assert "count hours only" in response.json()["kind"][0]


def test_a_name_on_a_log_that_is_not_a_competency_is_refused(student, placement) -> None:
    on_edition(placement, CHECKLIST, STICKS)
    response = client_for(student).post(PROCEDURES, procedure(placement, competency="Injections"))
    assert response.status_code == 400
    assert response.json()["competency"] == ["Only competency logs name a competency."]


def test_it_rejects_a_future_procedure(student, placement) -> None:
    tomorrow = str(TODAY() + timedelta(days=1))
    response = client_for(student).post(PROCEDURES, procedure(placement, date=tomorrow))
    assert response.status_code == 400
    assert "date" in response.json()


def test_procedure_logs_are_decided_like_hours(supervisor, student, placement, elsewhere) -> None:
    log = ProcedureLogFactory(externship=placement, status=LogStatus.PENDING)
    theirs = ProcedureLogFactory(externship=elsewhere, status=LogStatus.PENDING)
    client = client_for(supervisor)
    assert client.get(f"{PROCEDURES}{theirs.pk}/").status_code == 404
    assert client_for(student).post(f"{PROCEDURES}{log.pk}/approve/").status_code == 403
    assert client.post(f"{PROCEDURES}{log.pk}/reject/", {}).status_code == 400
    assert client.post(f"{PROCEDURES}{log.pk}/approve/").json()["status"] == "approved"
    assert client.post(f"{PROCEDURES}{log.pk}/approve/").status_code == 409
    again = ProcedureLogFactory(externship=placement, status=LogStatus.PENDING)
    bulk = client.post(f"{PROCEDURES}bulk-approve/", {"ids": [again.pk]})
    assert [log["status"] for log in bulk.json()] == ["approved"]


def test_procedure_logs_filter_by_kind(admin_user, placement) -> None:
    ProcedureLogFactory(externship=placement, kind="venipuncture")
    ProcedureLogFactory(externship=placement, kind="capillary_stick")
    listed = client_for(admin_user).get(PROCEDURES, {"kind": "capillary_stick"}).json()
    assert [log["kind"] for log in listed["results"]] == ["capillary_stick"]


# -- query counts ------------------------------------------------------------------------------


def _list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_hour_log_list_costs_the_same_queries_for_2_or_20_logs(supervisor, placement) -> None:
    client = client_for(supervisor)
    client.get(HOURS)  # the supervisor's roles are read once and kept on the user
    for n in range(2):
        log = pending(placement, date=TODAY() - timedelta(days=n + 1))
        client.post(f"{HOURS}{log.pk}/needs-info/", {"reason": "Which unit?"})
    two = _list_queries(client, HOURS)
    for n in range(2, 20):
        pending(placement, date=TODAY() - timedelta(days=n + 1))
    # The count, the page of logs with their externship's student, and their decisions with
    # who decided: three queries for any page.
    assert two == _list_queries(client, HOURS) == 3


def test_the_procedure_log_list_costs_the_same_queries_for_2_or_20_logs(
    coach, supervisor, placement
) -> None:
    client = client_for(coach)
    client.get(PROCEDURES)
    for _ in range(2):
        log = ProcedureLogFactory(externship=placement, status=LogStatus.PENDING)
        client_for(supervisor).post(f"{PROCEDURES}{log.pk}/approve/")
    two = _list_queries(client, PROCEDURES)
    ProcedureLogFactory.create_batch(18, externship=placement)
    # The count, the page of logs with their student, their decisions with who decided.
    assert two == _list_queries(client, PROCEDURES) == 3
