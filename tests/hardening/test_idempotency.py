"""`Idempotency-Key` on applying and on logging clinical work: a retry gets the first answer,
the same key with another body is a 422, and keys are forgotten after a day. A request that dies
leaves its retry a fresh attempt (a killed worker and a restarted database, with real processes:
tests/test_faults.py).

Cast: an anonymous applicant (applications), Avery and Blake, two students with active
externships (hour and procedure logs)."""

import time
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from backend.models import IdempotencyKey
from enrollment.api import views as enrollment_api
from enrollment.applying import application_submit
from enrollment.models import Application
from externships.models import HourLog, ProcedureLog
from tests.concurrency import at_once
from tests.conftest import client_for
from tests.factories import CohortFactory, ExternshipFactory, applicant
from tests.hardening import operations


def two_days_ago() -> str:
    # Read when the body is made, not at import: a run crossing midnight would log a stale day.
    return (timezone.localdate() - timedelta(days=2)).isoformat()


def apply_body(cohort_id: int, n: int = 1) -> dict:
    return {**applicant(n, date_of_birth="1998-05-17"), "cohort": cohort_id}


def hours_body(externship_id: int) -> dict:
    return {
        "externship": externship_id,
        "date": two_days_ago(),
        "start_time": "09:00",
        "end_time": "12:00",
        "activities": "Rooming patients",
    }


def procedure_body(externship_id: int) -> dict:
    return {"externship": externship_id, "date": two_days_ago(), "kind": "venipuncture"}


@pytest.mark.django_db
def test_it_replays_the_first_answer_to_a_retried_application(api: APIClient) -> None:
    cohort = CohortFactory()
    first = api.post(
        "/api/v1/applications/", apply_body(cohort.pk), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = api.post(
        "/api/v1/applications/", apply_body(cohort.pk), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_the_same_key_with_a_different_body(api: APIClient) -> None:
    cohort = CohortFactory()
    api.post(
        "/api/v1/applications/", apply_body(cohort.pk, 1), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    other = api.post(
        "/api/v1/applications/", apply_body(cohort.pk, 2), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422
    assert other.json() == {
        "Idempotency-Key": ["This key was already used with a different request."]
    }
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_it_keeps_two_clients_keys_apart() -> None:
    cohort = CohortFactory()
    for n, address in enumerate(("192.0.2.1", "192.0.2.2")):
        response = APIClient(REMOTE_ADDR=address).post(
            "/api/v1/applications/",
            apply_body(cohort.pk, n),
            format="json",
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        assert response.status_code == 201
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_it_replays_a_retried_hour_log_and_keeps_students_apart() -> None:
    avery, blake = ExternshipFactory(), ExternshipFactory()
    for externship in (avery, avery, blake):
        response = client_for(externship.student.user).post(
            "/api/v1/hour-logs/", hours_body(externship.pk), HTTP_IDEMPOTENCY_KEY="shift-1"
        )
        assert response.status_code == 201
    assert HourLog.objects.filter(externship=avery).count() == 1
    assert HourLog.objects.filter(externship=blake).count() == 1


@pytest.mark.django_db
def test_it_replays_a_refusal_too() -> None:
    # The first answer, whatever it was: a retry of a refused log is refused the same way.
    externship = ExternshipFactory()
    body = {**procedure_body(externship.pk), "count": 0}
    client = client_for(externship.student.user)
    first = client.post("/api/v1/procedure-logs/", body, HTTP_IDEMPOTENCY_KEY="p")
    again = client.post("/api/v1/procedure-logs/", body, HTTP_IDEMPOTENCY_KEY="p")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "k" * 256, "caf\u00e9", "tab\there"])
def test_it_refuses_a_key_that_is_not_1_to_255_printable_ascii(api: APIClient, key: str) -> None:
    response = api.post(
        "/api/v1/applications/",
        apply_body(CohortFactory().pk),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_it_works_as_before_without_the_header(api: APIClient) -> None:
    response = api.post("/api/v1/applications/", apply_body(CohortFactory().pk), format="json")
    assert response.status_code == 201
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_the_periodic_job_forgets_keys_after_a_day(capsys: pytest.CaptureFixture) -> None:
    old = IdempotencyKey.objects.create(scope="user:1 /api/v1/hour-logs/", key="a", fingerprint="f")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    IdempotencyKey.objects.create(scope="user:1 /api/v1/hour-logs/", key="b", fingerprint="f")
    call_command("periodic")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]
    assert "expire_idempotency_keys: 1" in capsys.readouterr().out


def test_the_schema_documents_the_header_on_each_operation() -> None:
    paths = operations.schema()["paths"]
    for path in ("/api/v1/applications/", "/api/v1/hour-logs/", "/api/v1/procedure-logs/"):
        parameters = paths[path]["post"]["parameters"]
        assert {"in": "header", "name": "Idempotency-Key"}.items() <= next(
            p for p in parameters if p["name"] == "Idempotency-Key"
        ).items()


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_requests_with_one_key_log_the_procedure_once() -> None:
    # Procedures may repeat on a day, so only the key stands between ten requests and ten logs.
    externship = ExternshipFactory()

    def post() -> tuple[int, str]:
        response = client_for(externship.student.user).post(
            "/api/v1/procedure-logs/", procedure_body(externship.pk), HTTP_IDEMPOTENCY_KEY="once"
        )
        return response.status_code, response.get("Idempotent-Replayed", "")

    results = at_once(post, [()] * 10, threads=10)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert ProcedureLog.objects.filter(externship=externship).count() == 1
    assert IdempotencyKey.objects.count() == 1
    firsts = [r for r in results if r == (201, "")]
    assert len(firsts) == 1, results
    # The others came while it ran (409) or after (the same 201, replayed).
    assert {r for r in results if r not in firsts} <= {(409, ""), (201, "true")}


@pytest.mark.django_db
def test_a_body_that_does_not_parse_is_a_400_and_leaves_the_key_unused(api: APIClient) -> None:
    broken = api.post(
        "/api/v1/applications/",
        data='{"first_name": ',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-broken",
    )
    assert broken.status_code == 400
    assert "JSON parse error" in broken.json()["detail"]
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_request_that_dies_after_the_work_leaves_neither_so_its_retry_gets_a_token(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gunicorn ends a worker past its timeout with SystemExit (SIGKILL, which nothing catches, is
    # in tests/test_faults.py): the application was saved, but its answer never left.
    def dies_after_saving(**kwargs: object) -> None:
        application_submit(**kwargs)
        raise SystemExit(1)

    body = apply_body(CohortFactory().pk)
    monkeypatch.setattr(enrollment_api, "application_submit", dies_after_saving)
    with pytest.raises(SystemExit):
        api.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-crash")
    assert not Application.objects.exists()
    assert not IdempotencyKey.objects.exists()

    monkeypatch.undo()
    retry = api.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-crash")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Application.objects.get().status_token == retry.json()["status_token"]
    assert IdempotencyKey.objects.get().status_code == 201


def leave_claim_running(externship_id: int, client: APIClient, seconds_ago: int) -> None:
    """The key's claim as a worker killed mid-request left it before claims and work shared a
    transaction: no answer, and no work."""
    client.post("/api/v1/procedure-logs/", procedure_body(externship_id), HTTP_IDEMPOTENCY_KEY="p")
    ProcedureLog.objects.all().delete()
    IdempotencyKey.objects.update(
        status_code=None,
        response_body=None,
        created_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


@pytest.mark.django_db
def test_a_retry_takes_over_a_claim_left_running_past_the_worker_timeout(settings) -> None:
    settings.IDEMPOTENCY_CLAIM_TIMEOUT = 30
    externship = ExternshipFactory()
    client = client_for(externship.student.user)
    leave_claim_running(externship.pk, client, seconds_ago=31)

    retry = client.post(
        "/api/v1/procedure-logs/", procedure_body(externship.pk), HTTP_IDEMPOTENCY_KEY="p"
    )
    assert retry.status_code == 201
    assert ProcedureLog.objects.get().pk == retry.json()["id"]
    again = client.post(
        "/api/v1/procedure-logs/", procedure_body(externship.pk), HTTP_IDEMPOTENCY_KEY="p"
    )
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == retry.json()


@pytest.mark.django_db
def test_a_claim_younger_than_the_worker_timeout_is_still_running(settings) -> None:
    settings.IDEMPOTENCY_CLAIM_TIMEOUT = 30
    externship = ExternshipFactory()
    client = client_for(externship.student.user)
    leave_claim_running(externship.pk, client, seconds_ago=5)

    retry = client.post(
        "/api/v1/procedure-logs/", procedure_body(externship.pk), HTTP_IDEMPOTENCY_KEY="p"
    )
    assert retry.status_code == 409
    assert retry.json() == {
        "Idempotency-Key": ["The first request with this key is still running."]
    }
    assert int(retry["Retry-After"]) > 0
    assert not ProcedureLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_applications_with_one_key_make_one_application_and_one_token() -> None:
    body = apply_body(CohortFactory().pk)

    def post() -> tuple[int, dict, str | None]:
        response = APIClient().post(
            "/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="once"
        )
        return response.status_code, response.json(), response.get("Retry-After")

    results = at_once(post, [()] * 10, threads=10)
    assert [r for r in results if isinstance(r, Exception)] == []
    application = Application.objects.get()
    # Each got the one application's token, or was told to come back while it was made.
    assert {answer["status_token"] for code, answer, _ in results if code == 201} == {
        application.status_token
    }
    assert all(code == 201 or (code == 409 and wait) for code, _, wait in results), results
    assert IdempotencyKey.objects.get().status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_request_that_falls_silent_past_the_timeout_loses_its_claim_to_the_database(
    api: APIClient, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    # A worker stuck (or cut off from the database) inside its transaction: PostgreSQL ends the
    # session once it has been idle IDEMPOTENCY_CLAIM_TIMEOUT, and the claim with it.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL ends idle transactions; SQLite's lock dies with its process")
    settings.IDEMPOTENCY_CLAIM_TIMEOUT = 1
    body = apply_body(CohortFactory().pk)
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)

    def falls_silent(**kwargs: object) -> None:
        backend = connection.connection.info.backend_pid
        deadline = time.monotonic() + 60
        with psycopg.connect(url, autocommit=True) as watcher:
            while watcher.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]
            ).fetchone():
                assert time.monotonic() < deadline, "PostgreSQL kept the silent session"
                time.sleep(0.1)
        application_submit(**kwargs)

    monkeypatch.setattr(enrollment_api, "application_submit", falls_silent)
    cut_off = api.post(
        "/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-silent"
    )
    assert (cut_off.status_code, cut_off.json()["code"]) == (503, "unavailable")
    assert not IdempotencyKey.objects.exists()

    monkeypatch.undo()
    # The retry with the usual window: at one second, a busy machine's pause between two of its
    # statements would end its session too.
    settings.IDEMPOTENCY_CLAIM_TIMEOUT = 30
    retry = api.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-silent")
    assert retry.status_code == 201
    assert Application.objects.get().status_token == retry.json()["status_token"]
