"""Placements, clinical logs, decisions, signed review links, enrolment and reminders: every
write of externships.services (and student_enroll), with the rule each refusal names."""

import re
from datetime import time, timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from backend.errors import NotAllowed, RuleViolation
from backend.periodic import JOBS
from enrollment.applying import application_submit
from enrollment.models import Student, StudentStage
from enrollment.services import Actor, application_accept
from externships import review_links, services
from externships.defaults import install_default_requirements
from externships.models import (
    ComplianceDocument,
    DecisionVia,
    DocumentKind,
    Externship,
    ExternshipStatus,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
    Requirement,
    RequirementSet,
    ScrubRole,
    lasting_documents,
)
from externships.review_links import review_link_open, review_link_token
from externships.services import (
    externship_create,
    hour_log_create,
    log_decide,
    log_resubmit,
    logs_bulk_approve,
    procedure_log_create,
)
from externships.tasks import remind_expiring_documents
from tests.conftest import with_role
from tests.factories import (
    CohortFactory,
    ComplianceDocumentFactory,
    ProgramFactory,
    SiteFactory,
    StudentFactory,
    UserFactory,
    applicant,
    complete_documents,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days_ago(n: int):
    return today() - timedelta(days=n)


def refused(field: str, service, **kwargs: object) -> str:
    """Call the service, expect a RuleViolation naming `field`, return its message."""
    with pytest.raises(RuleViolation) as caught:
        service(**kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def program():
    return ProgramFactory()


@pytest.fixture
def site(program, supervisor):
    return SiteFactory(programs=[program], supervisors=[supervisor], capacity=2)


def new_student(program, **fields: object) -> Student:
    student = StudentFactory(cohort=CohortFactory(program=program), **fields)
    complete_documents(student)
    return student


@pytest.fixture
def learner(program) -> Student:
    return new_student(program)


def placement(student, site, supervisor, **dates: object) -> dict:
    return {
        "student": student,
        "site": site,
        "supervisor": supervisor,
        "starts_on": dates.get("starts_on", days_ago(30)),
        "ends_on": dates.get("ends_on", today() + timedelta(days=30)),
    }


@pytest.fixture
def externship(learner, site, supervisor) -> Externship:
    return externship_create(**placement(learner, site, supervisor))


def shift(externship: Externship, day=None, start=(8, 0), end=(16, 30), **fields: object):
    return hour_log_create(
        student=externship.student,
        externship=externship,
        date=day or days_ago(1),
        start_time=time(*start),
        end_time=time(*end),
        break_minutes=fields.pop("break_minutes", 30),
        activities=fields.pop("activities", "Vitals and rooming"),
        **fields,
    )


def sticks(externship: Externship, count: int = 5, **fields: object) -> ProcedureLog:
    return procedure_log_create(
        student=externship.student,
        externship=externship,
        date=fields.pop("date", days_ago(1)),
        kind=fields.pop("kind", ProcedureKind.VENIPUNCTURE),
        count=count,
        **fields,
    )


# -- placements --------------------------------------------------------------------------------


def test_a_placement_with_everything_in_order_starts_the_externship(
    learner, site, supervisor
) -> None:
    externship = externship_create(**placement(learner, site, supervisor))
    assert externship.status == ExternshipStatus.ACTIVE
    assert (externship.site, externship.supervisor) == (site, supervisor)
    learner.refresh_from_db()
    assert learner.stage == StudentStage.EXTERNSHIP


def test_a_missing_document_refuses_the_placement(program, site, supervisor) -> None:
    student = StudentFactory(cohort=CohortFactory(program=program))
    for kind in DocumentKind:
        if kind != DocumentKind.TB_TEST:
            ComplianceDocumentFactory(student=student, kind=kind)
    message = refused("student", externship_create, **placement(student, site, supervisor))
    assert "TB test" in message
    assert not Externship.objects.exists()
    student.refresh_from_db()
    assert student.stage == StudentStage.ENROLLED


def test_a_document_expired_on_the_start_date_refuses_the_placement(
    learner, site, supervisor
) -> None:
    starts = today() + timedelta(days=10)
    learner.documents.filter(kind=DocumentKind.CPR_BLS).update(expires_on=starts - timedelta(1))
    message = refused(
        "student", externship_create, **placement(learner, site, supervisor, starts_on=starts)
    )
    assert "CPR/BLS" in message
    # Valid through the start date is enough.
    learner.documents.filter(kind=DocumentKind.CPR_BLS).update(expires_on=starts)
    assert externship_create(**placement(learner, site, supervisor, starts_on=starts))


def test_a_newer_copy_of_an_expired_document_is_enough(learner, site, supervisor) -> None:
    learner.documents.filter(kind=DocumentKind.TB_TEST).update(expires_on=days_ago(40))
    ComplianceDocumentFactory(student=learner, kind=DocumentKind.TB_TEST)
    assert externship_create(**placement(learner, site, supervisor))


def test_a_lapsed_affiliation_agreement_refuses_the_placement(learner, site, supervisor) -> None:
    starts = today() + timedelta(days=5)
    site.agreement_valid_until = starts - timedelta(days=1)
    site.save()
    message = refused(
        "site", externship_create, **placement(learner, site, supervisor, starts_on=starts)
    )
    assert "lapses" in message
    site.agreement_valid_until = starts
    site.save()
    assert externship_create(**placement(learner, site, supervisor, starts_on=starts))


def test_a_full_site_refuses_overlapping_dates_only(program, site, supervisor) -> None:
    site.capacity = 1
    site.save()
    first, second = new_student(program), new_student(program)
    externship_create(
        **placement(first, site, supervisor, starts_on=days_ago(10), ends_on=days_ago(1))
    )
    message = refused(
        "site",
        externship_create,
        **placement(second, site, supervisor, starts_on=days_ago(1), ends_on=today()),
    )
    assert "no free place" in message
    assert externship_create(
        **placement(second, site, supervisor, starts_on=today(), ends_on=today())
    )


def test_a_cancelled_placement_frees_its_place(program, site, supervisor) -> None:
    site.capacity = 1
    site.save()
    first, second = new_student(program), new_student(program)
    cancelled = externship_create(**placement(first, site, supervisor))
    Externship.objects.filter(pk=cancelled.pk).update(status=ExternshipStatus.CANCELLED)
    assert externship_create(**placement(second, site, supervisor))


def test_a_supervisor_who_is_not_at_the_site_is_refused(learner, site) -> None:
    elsewhere = with_role(Role.SUPERVISOR)
    message = refused("supervisor", externship_create, **placement(learner, site, elsewhere))
    assert "does not supervise" in message


def test_a_site_that_does_not_serve_the_program_is_refused(learner, supervisor) -> None:
    other = ProgramFactory(slug="pharmacy-technician", track="pharmacy_technician")
    pharmacy = SiteFactory(kind="pharmacy", programs=[other], supervisors=[supervisor])
    message = refused("site", externship_create, **placement(learner, pharmacy, supervisor))
    assert "does not take" in message


def test_an_externship_cannot_end_before_it_starts(learner, site, supervisor) -> None:
    refused(
        "ends_on",
        externship_create,
        **placement(learner, site, supervisor, starts_on=today(), ends_on=days_ago(1)),
    )


# -- hour logs ---------------------------------------------------------------------------------


def test_a_shift_is_logged_pending_with_its_worked_minutes(externship) -> None:
    log = shift(externship, start=(8, 0), end=(16, 30), break_minutes=30)
    assert (log.status, log.minutes) == (LogStatus.PENDING, 480)


def test_a_future_date_is_refused(externship) -> None:
    message = refused("date", shift, externship=externship, day=today() + timedelta(days=1))
    assert "future" in message


def test_a_date_outside_the_externship_is_refused(learner, site, supervisor) -> None:
    externship = externship_create(
        **placement(learner, site, supervisor, starts_on=days_ago(20), ends_on=days_ago(5))
    )
    refused("date", shift, externship=externship, day=days_ago(21))
    refused("date", shift, externship=externship, day=days_ago(4))
    assert shift(externship, day=days_ago(20))
    assert shift(externship, day=days_ago(5))


def test_an_end_before_or_at_the_start_is_refused(externship) -> None:
    refused("end_time", shift, externship=externship, start=(12, 0), end=(9, 0))
    refused("end_time", shift, externship=externship, start=(12, 0), end=(12, 0))


def test_an_overnight_shift_is_eight_hours_from_22_to_06(externship) -> None:
    log = shift(externship, start=(22, 0), end=(6, 0), break_minutes=0, ends_next_day=True)
    log.refresh_from_db()
    assert (log.minutes, log.ends_next_day, log.status) == (480, True, LogStatus.PENDING)
    assert str(log).endswith("22:00-06:00 (next day)")


def test_an_overnight_shift_must_end_before_its_start_time(externship) -> None:
    message = refused(
        "end_time", shift, externship=externship, start=(8, 0), end=(16, 0), ends_next_day=True
    )
    assert "ends before its start time" in message
    refused("end_time", shift, externship=externship, start=(8, 0), end=(8, 0), ends_next_day=True)


def test_an_overnight_shift_overlaps_on_both_days(externship) -> None:
    night = shift(
        externship, day=days_ago(2), start=(22, 0), end=(6, 0), break_minutes=0, ends_next_day=True
    )
    # the evening before it, and the morning after it
    refused("start_time", shift, externship=externship, day=days_ago(2), start=(20, 0), end=(23, 0))
    refused("start_time", shift, externship=externship, day=days_ago(1), start=(5, 0), end=(9, 0))
    assert shift(externship, day=days_ago(1), start=(6, 0), end=(14, 0), break_minutes=0)
    assert night.date == days_ago(2)


def test_an_overnight_shift_counts_on_the_day_it_starts(externship) -> None:
    shift(externship, start=(6, 0), end=(14, 0), break_minutes=0)
    message = refused(
        "end_time",
        shift,
        externship=externship,
        start=(14, 0),
        end=(0, 30),
        break_minutes=0,
        ends_next_day=True,
    )
    assert "more than 16 hours" in message


def test_the_database_refuses_a_next_day_end_after_the_start(externship) -> None:
    log = shift(externship, start=(22, 0), end=(6, 0), break_minutes=0, ends_next_day=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        HourLog.objects.filter(pk=log.pk).update(end_time=time(23, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        HourLog.objects.filter(pk=log.pk).update(ends_next_day=False)


def test_a_break_as_long_as_the_shift_is_refused(externship) -> None:
    refused(
        "break_minutes", shift, externship=externship, start=(8, 0), end=(9, 0), break_minutes=60
    )


def test_an_overlapping_shift_is_refused_but_an_adjacent_one_is_not(externship) -> None:
    shift(externship, start=(8, 0), end=(12, 0), break_minutes=0)
    message = refused(
        "start_time", shift, externship=externship, start=(11, 30), end=(14, 0), break_minutes=0
    )
    assert "overlaps" in message
    refused("start_time", shift, externship=externship, start=(7, 0), end=(13, 0))
    assert shift(externship, start=(12, 0), end=(14, 0), break_minutes=0)
    assert shift(externship, day=days_ago(2), start=(8, 0), end=(12, 0), break_minutes=0)


def test_overlap_is_checked_across_the_students_externships(
    learner, site, supervisor, program
) -> None:
    first = externship_create(**placement(learner, site, supervisor))
    lab = SiteFactory(kind="lab", programs=[program], supervisors=[supervisor])
    second = externship_create(**placement(learner, lab, supervisor))
    shift(first, start=(8, 0), end=(12, 0), break_minutes=0)
    refused("start_time", shift, externship=second, start=(10, 0), end=(14, 0), break_minutes=0)
    assert shift(second, start=(13, 0), end=(17, 0), break_minutes=0)


def test_another_students_shift_never_overlaps(externship, program, site, supervisor) -> None:
    other = externship_create(**placement(new_student(program), site, supervisor))
    shift(externship)
    assert shift(other)


def test_a_rejected_shift_does_not_block_its_hours(externship, supervisor) -> None:
    log = shift(externship)
    log_decide(log=log, decision=LogStatus.REJECTED, reason="Wrong day", by=supervisor)
    assert shift(externship)


def test_more_than_16_hours_in_a_day_summed_over_logs_is_refused(externship) -> None:
    shift(externship, start=(6, 0), end=(14, 0), break_minutes=0)
    message = refused(
        "end_time", shift, externship=externship, start=(14, 0), end=(22, 30), break_minutes=0
    )
    assert "more than 16 hours" in message
    assert shift(externship, start=(14, 0), end=(22, 30), break_minutes=30)  # exactly 16


def test_logs_need_the_students_own_active_externship(externship, program, site, supervisor):
    other = new_student(program)
    refused(
        "externship",
        hour_log_create,
        student=other,
        externship=externship,
        date=days_ago(1),
        start_time=time(8),
        end_time=time(12),
        activities="x",
    )
    Externship.objects.filter(pk=externship.pk).update(status=ExternshipStatus.COMPLETED)
    refused("externship", shift, externship=externship)


# -- procedure logs ----------------------------------------------------------------------------


def test_procedures_are_logged_pending(externship) -> None:
    log = sticks(externship, count=3, successful=False)
    assert (log.status, log.count, log.successful) == (LogStatus.PENDING, 3, False)


def test_a_surgical_case_needs_a_role_and_a_specialty(externship) -> None:
    case = {"externship": externship, "kind": ProcedureKind.SURGICAL_CASE, "count": 1}
    refused("role", sticks, **case, specialty="general")
    refused("role", sticks, **case, specialty="general", role="circulator")
    refused("specialty", sticks, **case, role=ScrubRole.FIRST_SCRUB, specialty="  ")
    log = sticks(**case, role=ScrubRole.SECOND_SCRUB, specialty=" Orthopedic ")
    assert (log.specialty, log.role) == ("orthopedic", ScrubRole.SECOND_SCRUB)


def test_only_surgical_cases_have_a_role_or_specialty(externship) -> None:
    refused("role", sticks, externship=externship, role=ScrubRole.FIRST_SCRUB)
    refused("specialty", sticks, externship=externship, specialty="general")


def on_edition(student: Student, *requirements: tuple[str, dict]) -> RequirementSet:
    edition = RequirementSet.objects.create(
        program=student.cohort.program, edition="Test edition", source="A test"
    )
    for position, (kind, params) in enumerate(requirements):
        Requirement.objects.create(
            requirement_set=edition, kind=kind, label=kind, params=params, position=position
        )
    student.requirement_set = edition
    student.save()
    return edition


CHECKLIST = ("competencies", {"items": ["Vital signs", "Injections", "EHR entry"]})
VENIPUNCTURES = ("procedures", {"procedure": "venipuncture", "count": 30})


def test_a_competency_log_names_an_item_of_the_students_checklist(externship) -> None:
    on_edition(externship.student, CHECKLIST)
    competency = {"externship": externship, "kind": ProcedureKind.COMPETENCY, "count": 1}
    message = refused("competency", sticks, **competency)
    assert (
        message == "Choose the competency from your checklist: Vital signs, Injections, EHR entry."
    )
    refused("competency", sticks, **competency, competency="Juggling")
    log = sticks(**competency, competency=" vital SIGNS ")
    assert log.competency == "Vital signs"


def test_only_the_kinds_the_edition_counts_are_logged(externship) -> None:
    on_edition(externship.student, ("hours", {"hours": 160}), VENIPUNCTURES)
    message = refused("kind", sticks, externship=externship, kind=ProcedureKind.CAPILLARY_STICK)
    assert message == "Your requirements (Test edition) count these procedures only: venipuncture."
    refused("kind", sticks, externship=externship, kind=ProcedureKind.COMPETENCY, competency="x")
    assert sticks(externship).kind == ProcedureKind.VENIPUNCTURE
    assert not ProcedureLog.objects.exclude(kind=ProcedureKind.VENIPUNCTURE).exists()


def test_an_hours_only_edition_has_no_procedure_to_log(externship) -> None:
    on_edition(externship.student, ("hours", {"hours": 120}))
    message = refused("kind", sticks, externship=externship)
    assert (
        message
        == "Your requirements (Test edition) count hours only: there is no procedure to log."
    )


def test_without_an_edition_any_kind_but_a_competency_is_logged(externship) -> None:
    assert externship.student.requirement_set is None
    assert sticks(externship, kind=ProcedureKind.CAPILLARY_STICK)
    refused(
        "kind", sticks, externship=externship, kind=ProcedureKind.COMPETENCY, competency="Vitals"
    )


def test_only_competency_logs_name_a_competency(externship) -> None:
    refused("competency", sticks, externship=externship, competency="Vital signs")


def test_procedure_dates_follow_the_externship(externship) -> None:
    refused("date", sticks, externship=externship, date=today() + timedelta(days=1))
    refused("date", sticks, externship=externship, date=externship.starts_on - timedelta(1))


@pytest.mark.parametrize("count", [0, 101])
def test_a_count_outside_1_to_100_is_refused_by_name(externship, count) -> None:
    refused("count", sticks, externship=externship, count=count)


# -- decisions ---------------------------------------------------------------------------------


def test_approving_records_who_when_and_how(externship, supervisor) -> None:
    log = shift(externship)
    decided = log_decide(log=log, decision=LogStatus.APPROVED, by=supervisor)
    log.refresh_from_db()
    assert log.status == decided.status == LogStatus.APPROVED
    assert log.decided_at is not None
    [decision] = log.decisions.all()
    assert (decision.decision, decision.decided_by, decision.via, decision.at) == (
        LogStatus.APPROVED,
        supervisor,
        DecisionVia.LOGIN,
        log.decided_at,
    )


@pytest.mark.parametrize("decision", [LogStatus.REJECTED, LogStatus.NEEDS_INFO])
def test_rejecting_or_asking_for_more_needs_a_reason(externship, supervisor, decision) -> None:
    log = shift(externship)
    refused("reason", log_decide, log=log, decision=decision, reason="  ", by=supervisor)
    decided = log_decide(log=log, decision=decision, reason=" Times? ", by=supervisor)
    assert (decided.status, decided.decision_reason) == (decision, "Times?")


def test_a_decision_must_be_one_of_three(externship, supervisor) -> None:
    log = shift(externship)
    refused("decision", log_decide, log=log, decision=LogStatus.PENDING, by=supervisor)


def test_rejecting_tells_the_student(externship, supervisor, django_capture_on_commit_callbacks):
    log = sticks(externship)
    with django_capture_on_commit_callbacks(execute=True):
        log_decide(log=log, decision=LogStatus.REJECTED, reason="Not observed", by=supervisor)
    [message] = mail.outbox
    assert message.to == [externship.student.user.email]
    assert "rejected" in message.subject


def test_an_approved_log_is_frozen(externship, supervisor, admin_user) -> None:
    log = shift(externship)
    log_decide(log=log, decision=LogStatus.APPROVED, by=supervisor)
    for by in (supervisor, admin_user):
        with pytest.raises(NotAllowed, match="already approved"):
            log_decide(log=log, decision=LogStatus.REJECTED, reason="Oops", by=by)
    log.refresh_from_db()
    assert (log.status, log.decision_reason) == (LogStatus.APPROVED, "")
    assert log.decisions.count() == 1


def test_a_rejected_log_stays_rejected_and_a_correction_is_a_new_log(
    externship, supervisor
) -> None:
    log = shift(externship)
    log_decide(log=log, decision=LogStatus.REJECTED, reason="You left at noon", by=supervisor)
    with pytest.raises(NotAllowed, match="already rejected"):
        log_decide(log=log, decision=LogStatus.APPROVED, by=supervisor)
    correction = shift(externship, end=(12, 0), break_minutes=0, corrects=log)
    assert correction.pk != log.pk
    assert (correction.status, correction.corrects) == (LogStatus.PENDING, log)
    message = refused("corrects", shift, externship=externship, day=days_ago(2), corrects=log)
    assert "already has a correction" in message
    log_decide(log=correction, decision=LogStatus.APPROVED, by=supervisor)
    log.refresh_from_db()
    assert log.status == LogStatus.REJECTED
    assert list(log.corrections.all()) == [correction]


def test_a_correction_refers_to_a_log_of_the_same_externship(
    externship, program, site, supervisor
) -> None:
    other = externship_create(**placement(new_student(program), site, supervisor))
    foreign = shift(other)
    refused("corrects", shift, externship=externship, corrects=foreign)


def test_needs_info_then_an_answer_then_approval_keeps_every_decision(
    externship, supervisor
) -> None:
    log = sticks(externship)
    log_decide(log=log, decision=LogStatus.NEEDS_INFO, reason="Which arm?", by=supervisor)
    with pytest.raises(NotAllowed):
        log_resubmit(log=log, student=new_student(externship.student.cohort.program), notes="x")
    answered = log_resubmit(log=log, student=externship.student, notes="Left arm")
    assert answered.status == LogStatus.PENDING
    assert "Left arm" in answered.notes
    log_decide(log=log, decision=LogStatus.APPROVED, by=supervisor, via=DecisionVia.LINK)
    # The student's answer is kept in the same history, as a resubmission.
    assert [(d.decision, d.decided_by, d.via, d.reason) for d in log.decisions.all()] == [
        (LogStatus.NEEDS_INFO, supervisor, DecisionVia.LOGIN, "Which arm?"),
        (LogStatus.PENDING, externship.student.user, DecisionVia.LOGIN, "Left arm"),
        (LogStatus.APPROVED, supervisor, DecisionVia.LINK, ""),
    ]


def test_only_a_pending_or_needs_info_log_can_be_answered(externship) -> None:
    log = shift(externship)
    with pytest.raises(NotAllowed):
        log_resubmit(log=log, student=externship.student, notes="More")


def test_another_sites_supervisor_may_not_decide(externship, program) -> None:
    stranger = with_role(Role.SUPERVISOR)
    SiteFactory(programs=[program], supervisors=[stranger])
    log = shift(externship)
    with pytest.raises(NotAllowed, match="site's supervisor"):
        log_decide(log=log, decision=LogStatus.APPROVED, by=stranger)
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING
    assert not LogDecision.objects.exists()


def test_a_fellow_supervisor_of_the_site_and_the_staff_may_decide(
    externship, site, admin_user
) -> None:
    colleague = with_role(Role.SUPERVISOR)
    site.supervisors.add(colleague)
    first, second = shift(externship, day=days_ago(1)), shift(externship, day=days_ago(2))
    assert log_decide(log=first, decision=LogStatus.APPROVED, by=colleague).status == "approved"
    assert log_decide(log=second, decision=LogStatus.APPROVED, by=admin_user).status == "approved"
    assert [d.decided_by for d in LogDecision.objects.order_by("id")] == [colleague, admin_user]


def test_the_students_own_coach_may_decide_but_no_other_coach(externship) -> None:
    own, other = with_role(Role.COACH), with_role(Role.COACH)
    Student.objects.filter(pk=externship.student.pk).update(coach=own)
    log = shift(externship)
    with pytest.raises(NotAllowed):
        log_decide(log=log, decision=LogStatus.APPROVED, by=other)
    assert log_decide(log=log, decision=LogStatus.APPROVED, by=own).status == "approved"


def test_the_student_may_not_decide_their_own_log(externship) -> None:
    log = shift(externship)
    with pytest.raises(NotAllowed):
        log_decide(log=log, decision=LogStatus.APPROVED, by=externship.student.user)


def test_a_supervisor_without_the_role_may_not_decide(externship, site) -> None:
    plain = UserFactory()
    site.supervisors.add(plain)
    with pytest.raises(NotAllowed):
        log_decide(log=shift(externship), decision=LogStatus.APPROVED, by=plain)


# -- bulk approval -----------------------------------------------------------------------------


def test_bulk_approval_approves_every_log(externship, supervisor) -> None:
    logs = [shift(externship, day=days_ago(n)) for n in (1, 2, 3)]
    approved = logs_bulk_approve(model=HourLog, ids=[log.pk for log in logs], by=supervisor)
    assert {log.status for log in approved} == {LogStatus.APPROVED}
    assert HourLog.objects.filter(status=LogStatus.APPROVED).count() == 3
    assert LogDecision.objects.filter(decided_by=supervisor).count() == 3


def test_bulk_approval_is_all_or_nothing(externship, supervisor, program) -> None:
    logs = [shift(externship, day=days_ago(n)) for n in (1, 2, 3)]
    log_decide(log=logs[1], decision=LogStatus.REJECTED, reason="No", by=supervisor)
    with pytest.raises(NotAllowed):
        logs_bulk_approve(model=HourLog, ids=[log.pk for log in logs], by=supervisor)
    assert set(HourLog.objects.values_list("status", flat=True)) == {"pending", "rejected"}
    assert LogDecision.objects.count() == 1

    elsewhere = with_role(Role.SUPERVISOR)
    other_site = SiteFactory(programs=[program], supervisors=[elsewhere])
    foreign = shift(externship_create(**placement(new_student(program), other_site, elsewhere)))
    with pytest.raises(NotAllowed):
        logs_bulk_approve(model=HourLog, ids=[logs[0].pk, foreign.pk], by=supervisor)
    with pytest.raises(RuleViolation) as unknown:
        logs_bulk_approve(model=HourLog, ids=[logs[0].pk, 999_999], by=supervisor)
    assert unknown.value.field == "ids"
    assert HourLog.objects.filter(status=LogStatus.APPROVED).count() == 0


def test_bulk_approval_of_procedure_logs(externship, supervisor) -> None:
    logs = [sticks(externship, count=n) for n in (1, 2)]
    logs_bulk_approve(model=ProcedureLog, ids=[log.pk for log in logs], by=supervisor)
    assert ProcedureLog.objects.filter(status=LogStatus.APPROVED).count() == 2


# -- signed review links -----------------------------------------------------------------------


def test_a_review_link_opens_its_log_for_its_supervisor(externship, supervisor) -> None:
    log = shift(externship)
    opened, by = review_link_open(review_link_token(log, supervisor))
    assert (type(opened), opened.pk, by) == (HourLog, log.pk, supervisor)
    decided = log_decide(log=opened, decision=LogStatus.APPROVED, by=by, via=DecisionVia.LINK)
    assert decided.decisions.get().via == DecisionVia.LINK


def test_a_forged_review_link_is_refused(externship, supervisor) -> None:
    token = review_link_token(shift(externship), supervisor)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_key = signing.dumps(
        {"kind": "hour", "log": 1, "by": supervisor.pk},
        salt=review_links.REVIEW_LINK_SALT,
        key="not-the-secret-key",
    )
    no_salt = signing.dumps({"kind": "hour", "log": 1, "by": supervisor.pk})
    for bad in (tampered, other_key, no_salt, "", "garbage"):
        with pytest.raises(NotAllowed, match="not valid"):
            review_link_open(bad)


def test_an_expired_review_link_is_refused(externship, supervisor, monkeypatch) -> None:
    token = review_link_token(shift(externship), supervisor)
    monkeypatch.setattr(review_links, "REVIEW_LINK_MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(NotAllowed, match="expired"):
        review_link_open(token)


def test_a_review_link_is_bound_to_one_log(externship, supervisor) -> None:
    first, second = shift(externship, day=days_ago(1)), shift(externship, day=days_ago(2))
    token_a = review_link_token(first, supervisor)
    assert review_link_open(token_a)[0].pk == first.pk
    # Another log's payload under this log's signature is a forgery.
    payload_b = review_link_token(second, supervisor).split(":", 1)[0]
    spliced = payload_b + ":" + token_a.split(":", 1)[1]
    with pytest.raises(NotAllowed, match="not valid"):
        review_link_open(spliced)
    # A procedure log with the same id is a different log.
    procedure = sticks(externship)
    ProcedureLog.objects.filter(pk=procedure.pk).update(id=first.pk)
    opened, _ = review_link_open(token_a)
    assert isinstance(opened, HourLog)


def test_a_review_link_dies_with_the_supervisors_place(externship, supervisor, site) -> None:
    log = shift(externship)
    token = review_link_token(log, supervisor)
    Externship.objects.filter(pk=externship.pk).update(supervisor=with_role(Role.SUPERVISOR))
    site.supervisors.remove(supervisor)
    with pytest.raises(NotAllowed, match="no longer valid"):
        review_link_open(token)


def test_a_review_link_of_a_deactivated_supervisor_is_refused(externship, supervisor) -> None:
    token = review_link_token(shift(externship), supervisor)
    User.objects.filter(pk=supervisor.pk).update(is_active=False)
    with pytest.raises(NotAllowed, match="no longer valid"):
        review_link_open(token)


# -- enrolment: accepting an offer makes a student ---------------------------------------------


@pytest.fixture
def cohort(program):
    install_default_requirements(program)
    return CohortFactory(program=program, capacity=10)


def accept(cohort, n: int) -> Student:
    application, _ = application_submit(cohort=cohort, **applicant(n))
    application_accept(application=application, actor=Actor())
    return Student.objects.select_related("user").get(application=application)


def test_accepting_makes_a_user_and_a_student(cohort) -> None:
    student = accept(cohort, 1)
    assert student.user.email == "jamie1@example.com"
    assert student.user.has_role(Role.STUDENT)
    assert not student.user.has_usable_password()
    assert (student.cohort, student.stage) == (cohort, StudentStage.ENROLLED)
    assert student.requirement_set == RequirementSet.objects.get(
        program=cohort.program, is_current=True
    )


def test_an_existing_user_is_reused(cohort) -> None:
    existing = UserFactory(email="jamie1@example.com")
    student = accept(cohort, 1)
    assert student.user == existing
    assert User.objects.filter(email__iexact="jamie1@example.com").count() == 1


def test_coaches_are_balanced_across_the_cohort(cohort, program) -> None:
    first, second = with_role(Role.COACH), with_role(Role.COACH)
    retired = with_role(Role.COACH, is_active=False)
    cohort.coaches.add(first, second, retired)
    # Students of another cohort do not weigh on this one.
    StudentFactory.create_batch(3, cohort=CohortFactory(program=program), coach=first)
    coaches = [accept(cohort, n).coach for n in range(1, 6)]
    assert coaches == [first, second, first, second, first]


def test_a_cohort_without_coaches_leaves_the_coach_empty(cohort) -> None:
    assert accept(cohort, 1).coach is None


def test_the_invitation_email_sets_a_password(
    cohort, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        student = accept(cohort, 1)
    [invitation] = [m for m in mail.outbox if "student account" in m.subject]
    assert invitation.to == [student.user.email]
    link = re.search(r"https?://\S+/reset/\S+", invitation.body).group(0)
    response = client.get(urlparse(link).path)
    assert response.status_code == 302
    form = client.get(response["Location"])
    assert form.status_code == 200
    assert b"new_password1" in form.content
    done = client.post(
        response["Location"],
        {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"},
    )
    assert done.status_code == 302
    student.user.refresh_from_db()
    assert student.user.check_password("a-Long-new-pass-42")


def test_the_student_keeps_the_edition_current_at_enrolment(cohort, program) -> None:
    first = accept(cohort, 1)
    old = first.requirement_set
    RequirementSet.objects.filter(pk=old.pk).update(is_current=False)
    new = RequirementSet.objects.create(program=program, edition="NHA CPT 2027", source="x")
    later = accept(cohort, 2)
    first.refresh_from_db()
    assert (first.requirement_set, later.requirement_set) == (old, new)


# -- compliance reminders ----------------------------------------------------------------------


def test_documents_expiring_within_30_days_are_reminded_once(coach, program, on_commit) -> None:
    student = StudentFactory(cohort=CohortFactory(program=program), coach=coach)
    due = ComplianceDocumentFactory(
        student=student, kind=DocumentKind.TB_TEST, expires_on=today() + timedelta(days=30)
    )
    ComplianceDocumentFactory(student=student, expires_on=today() + timedelta(days=31))
    ComplianceDocumentFactory(student=student, expires_on=days_ago(1))
    ComplianceDocumentFactory(student=student, expires_on=None)
    assert "externships.tasks.remind_expiring_documents" in JOBS

    assert reminders(on_commit) == 1
    assert reminders(on_commit) == 0
    # One email each: the student's needs their consent, the coach's is work mail.
    assert [m.to for m in mail.outbox] == [[student.user.email], [coach.email]]
    assert all("TB test" in m.subject for m in mail.outbox)
    due.refresh_from_db()
    assert due.reminded_at is not None


def test_a_document_a_renewal_outlasts_is_not_reminded(coach, program, on_commit) -> None:
    """The document of a kind that counts is the one that lasts longest, as for a placement,
    the student's home and the coach's flags."""
    student = StudentFactory(cohort=CohortFactory(program=program), coach=coach)
    soon = today() + timedelta(days=10)
    ComplianceDocumentFactory(student=student, kind=DocumentKind.TB_TEST, expires_on=soon)
    ComplianceDocumentFactory(
        student=student, kind=DocumentKind.TB_TEST, expires_on=soon + timedelta(days=365)
    )
    ComplianceDocumentFactory(student=student, kind=DocumentKind.CPR_BLS, expires_on=soon)
    ComplianceDocumentFactory(student=student, kind=DocumentKind.CPR_BLS, expires_on=None)
    due = ComplianceDocumentFactory(student=student, kind=DocumentKind.DRUG_SCREEN, expires_on=soon)

    assert reminders(on_commit) == 1
    assert [m.to for m in mail.outbox] == [[student.user.email], [coach.email]]
    due.refresh_from_db()
    assert due.reminded_at is not None


def test_the_documents_that_count_are_the_same_in_sql_and_in_python(program) -> None:
    student = StudentFactory(cohort=CohortFactory(program=program))
    for kind, expiries in [
        (DocumentKind.TB_TEST, [days_ago(30), today() + timedelta(days=200)]),
        (DocumentKind.CPR_BLS, [today() + timedelta(days=5), None]),
        (DocumentKind.DRUG_SCREEN, [days_ago(3)]),
        (DocumentKind.FERPA_RELEASE, [None]),
    ]:
        for expires_on in expiries:
            ComplianceDocumentFactory(student=student, kind=kind, expires_on=expires_on)
    in_python = lasting_documents(student.documents.all())
    in_sql = ComplianceDocument.objects.filter(student=student).lasting()
    assert {d.pk for d in in_sql} == {d.pk for d in in_python.values()}
    assert services.missing_documents(student, today()) == [
        label
        for label in DocumentKind.labels
        if label not in {"TB test", "CPR/BLS", "Signed FERPA release"}
    ]


def test_a_student_without_a_coach_is_still_reminded(program, on_commit) -> None:
    student = StudentFactory(cohort=CohortFactory(program=program))
    ComplianceDocumentFactory(student=student, expires_on=today())
    assert reminders(on_commit) == 1
    assert mail.outbox[0].to == [student.user.email]


def test_a_cancelled_placement_returns_the_student_to_enrolled_and_cannot_close_twice(
    externship, learner
) -> None:
    assert Student.objects.get(pk=learner.pk).stage == StudentStage.EXTERNSHIP
    services.externship_close(externship=externship, status="cancelled")
    assert Student.objects.get(pk=learner.pk).stage == StudentStage.ENROLLED
    with pytest.raises(NotAllowed, match="already cancelled"):
        services.externship_close(externship=externship, status="completed")


def test_closing_needs_completed_or_cancelled(externship) -> None:
    with pytest.raises(RuleViolation) as refusal:
        services.externship_close(externship=externship, status="active")
    assert refusal.value.field == "status"


def reminders(on_commit) -> int:
    """The periodic job, committed: its reminders' tasks then run (the immediate backend)."""
    with on_commit():
        return remind_expiring_documents()
