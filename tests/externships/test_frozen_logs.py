"""Approved logs are frozen everywhere, not only through the services: the shell's save(),
QuerySet.update() and delete(), raw SQL (the database's triggers, migration 0005) and the admin.
What the product does to logs still works: deciding a pending log, asking for more information
and approving the answer, correcting an approved log with a new one.

The cast: a student placed at a clinic, whose supervisor decides their logs."""

from datetime import time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backend.errors import NotAllowed
from externships.models import (
    ApprovedLogFrozen,
    ClinicalLog,
    Externship,
    HourLog,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
)
from externships.services import (
    externship_create,
    hour_log_create,
    log_decide,
    log_resubmit,
    logs_bulk_approve,
    procedure_log_create,
)
from tests.factories import (
    CohortFactory,
    ProgramFactory,
    SiteFactory,
    StudentFactory,
    complete_documents,
)

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def externship(supervisor) -> Externship:
    program = ProgramFactory()
    student = StudentFactory(cohort=CohortFactory(program=program))
    complete_documents(student)
    return externship_create(
        student=student,
        site=SiteFactory(programs=[program], supervisors=[supervisor]),
        supervisor=supervisor,
        starts_on=days_ago(30),
        ends_on=timezone.localdate() + timedelta(days=30),
    )


def shift(externship: Externship, ago: int = 1, **fields: object) -> HourLog:
    return hour_log_create(
        student=externship.student,
        externship=externship,
        date=days_ago(ago),
        start_time=time(8, 0),
        end_time=time(16, 30),
        break_minutes=30,
        activities="Vitals and rooming",
        **fields,
    )


def sticks(externship: Externship, ago: int = 1, **fields: object) -> ProcedureLog:
    return procedure_log_create(
        student=externship.student,
        externship=externship,
        date=days_ago(ago),
        kind=ProcedureKind.VENIPUNCTURE,
        count=5,
        **fields,
    )


LOGS = {"hour": (shift, "minutes", 1), "procedure": (sticks, "count", 99)}


@pytest.fixture(params=list(LOGS))
def approved(request, externship, supervisor) -> ClinicalLog:
    """An approved log of each kind; `changed` is a field and a value it never had."""
    log = LOGS[request.param][0](externship)
    return log_decide(log=log, decision=LogStatus.APPROVED, by=supervisor)


def a_change(log: ClinicalLog) -> dict[str, object]:
    _, field, value = LOGS["hour" if isinstance(log, HourLog) else "procedure"]
    return {field: value}


def as_stored(log: ClinicalLog) -> dict[str, object]:
    """The log's row and its field history, as the database holds them."""
    row = type(log).objects.filter(pk=log.pk).values().get()
    return {**row, "history": log.audit_trail.count()}


# -- the shell ---------------------------------------------------------------------------------


def test_saving_a_changed_approved_log_is_refused(approved) -> None:
    before = as_stored(approved)
    for field, value in a_change(approved).items():
        setattr(approved, field, value)
    with pytest.raises(ApprovedLogFrozen, match="never changed"):
        approved.save()
    approved.status = LogStatus.REJECTED
    with pytest.raises(ApprovedLogFrozen):
        approved.save(update_fields=["status"])
    assert as_stored(approved) == before


def test_updating_an_approved_log_is_refused_and_leaves_no_trace(approved) -> None:
    before = as_stored(approved)
    model = type(approved)
    with pytest.raises(ApprovedLogFrozen):
        model.objects.filter(pk=approved.pk).update(**a_change(approved))
    with pytest.raises(ApprovedLogFrozen):
        model.objects.update(status=LogStatus.PENDING)
    assert as_stored(approved) == before


def test_an_update_touching_one_approved_log_changes_none(approved, externship) -> None:
    model = type(approved)
    pending = LOGS["hour" if model is HourLog else "procedure"][0](externship, ago=2)
    logs = externship.hourlogs if model is HourLog else externship.procedurelogs
    with pytest.raises(ApprovedLogFrozen):
        logs.update(notes="Edited")
    assert set(model.objects.values_list("notes", flat=True)) == {""}
    # Pending logs alone are not frozen.
    assert model.objects.filter(pk=pending.pk).update(notes="Edited") == 1


def test_deleting_an_approved_log_is_refused(approved) -> None:
    before = as_stored(approved)
    model = type(approved)
    with pytest.raises(ApprovedLogFrozen, match="never deleted"):
        approved.delete()
    with pytest.raises(ApprovedLogFrozen, match="never deleted"):
        model.objects.filter(pk=approved.pk).delete()
    with pytest.raises(ApprovedLogFrozen):
        model.objects.all().delete()
    assert as_stored(approved) == before
    assert approved.decisions.count() == 1


def test_the_refusal_is_a_conflict_in_the_clients_words() -> None:
    refusal = ApprovedLogFrozen()
    assert isinstance(refusal, NotAllowed)
    assert refusal.status_code == 409
    assert "log a correction that refers to it" in refusal.message


# -- the database ------------------------------------------------------------------------------


def raw(sql: str, log: ClinicalLog) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=type(log)._meta.db_table), [log.pk])


def test_the_database_refuses_a_raw_update_of_an_approved_log(approved) -> None:
    before = as_stored(approved)
    for sql in (
        "UPDATE {table} SET notes = 'Edited' WHERE id = %s",
        "UPDATE {table} SET status = 'pending' WHERE id = %s",
        "UPDATE {table} SET date = date WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="approved logs are frozen"):
            raw(sql, approved)
    assert as_stored(approved) == before


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no delete trigger: its flush deletes row by row (see migration 0005)",
)
def test_postgresql_refuses_a_raw_delete_of_an_approved_log(approved) -> None:
    before = as_stored(approved)
    with pytest.raises(IntegrityError, match="approved logs are frozen"):
        raw("DELETE FROM {table} WHERE id = %s", approved)
    assert as_stored(approved) == before


def test_a_save_that_gets_past_the_check_is_refused_by_the_database(approved, monkeypatch) -> None:
    """As when another process approved the log between the check and the write."""
    before = as_stored(approved)
    monkeypatch.setattr(type(approved), "_approved_in_the_database", lambda self: False)
    for field, value in a_change(approved).items():
        setattr(approved, field, value)
    with pytest.raises(ApprovedLogFrozen), transaction.atomic():
        approved.save()
    assert as_stored(approved) == before


def test_the_database_lets_pending_logs_change_and_go(externship) -> None:
    log = shift(externship)
    raw("UPDATE {table} SET notes = 'Edited' WHERE id = %s", log)
    log.refresh_from_db()
    assert log.notes == "Edited"
    raw("DELETE FROM {table} WHERE id = %s", log)
    assert not HourLog.objects.exists()


# -- what the product does to logs still works --------------------------------------------------


def test_a_pending_log_is_approved_and_then_stays(externship, supervisor) -> None:
    hours, procedures = shift(externship), sticks(externship)
    logs_bulk_approve(model=HourLog, ids=[hours.pk], by=supervisor)
    log_decide(log=procedures, decision=LogStatus.APPROVED, by=supervisor)
    for log in (hours, procedures):
        log.refresh_from_db()
        assert log.status == LogStatus.APPROVED
        with pytest.raises(NotAllowed, match="already approved"):
            log_decide(log=log, decision=LogStatus.REJECTED, reason="Oops", by=supervisor)


def test_needs_info_then_an_answer_then_approval(externship, supervisor) -> None:
    log = sticks(externship)
    log_decide(log=log, decision=LogStatus.NEEDS_INFO, reason="Which arm?", by=supervisor)
    log_resubmit(log=log, student=externship.student, notes="Left arm")
    log_decide(log=log, decision=LogStatus.APPROVED, by=supervisor)
    log.refresh_from_db()
    assert (log.status, log.notes) == (LogStatus.APPROVED, "Left arm")


def test_correcting_an_approved_log_leaves_it_as_it_was(externship, supervisor) -> None:
    original = log_decide(log=shift(externship), decision=LogStatus.APPROVED, by=supervisor)
    before = as_stored(original)
    correction = hour_log_create(
        student=externship.student,
        externship=externship,
        date=original.date,
        start_time=time(8, 0),
        end_time=time(12, 0),
        activities="Left at noon",
        corrects=original,
    )
    log_decide(log=correction, decision=LogStatus.APPROVED, by=supervisor)
    assert as_stored(original) == before
    assert list(HourLog.objects.counting()) == [correction]


def test_an_approved_log_opens_in_the_admin_to_read_only(approved, admin_user) -> None:
    client = Client()
    client.force_login(admin_user)
    info = (type(approved)._meta.app_label, type(approved)._meta.model_name)
    url = reverse("admin:{}_{}_change".format(*info), args=[approved.pk])
    before = as_stored(approved)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"notes": "Edited"}).status_code == 403
    assert as_stored(approved) == before
