"""An applicant's confirmation is queued in the transaction that places them, as production runs
it (the database task backend): it commits with the application or not at all, and the worker
words it from where the application then stands."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from enrollment.applying import application_submit
from enrollment.models import Application, ConsentRecord
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_worker() -> None:
    """The database worker, until nothing is left to do."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="journey",
        excluded_queue_names=[],
    ).run()


def _apply(cohort_id: int, n: int) -> object:
    body = {**applicant(n, date_of_birth="1998-05-17"), "cohort": cohort_id}
    return APIClient().post("/api/v1/applications/", body, format="json")


def test_the_confirmation_is_committed_with_the_application_and_sent_by_the_worker() -> None:
    cohort = CohortFactory(capacity=1, name="Spring Phlebotomy")
    first, second = _apply(cohort.pk, 1), _apply(cohort.pk, 2)
    assert (first.status_code, second.status_code) == (201, 201)

    # Committed with each application, waiting for a worker: nothing has gone yet.
    queued = sorted(task.args_kwargs["args"] for task in DBTaskResult.objects.all())
    assert queued == [[first.json()["id"], "received"], [second.json()["id"], "received"]]
    assert mail.outbox == []

    _run_worker()

    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "Spring Phlebotomy is held for you until" in by_address["jamie1@example.com"]
    assert "you are on its waitlist, number 1 in line" in by_address["jamie2@example.com"]
    assert "deciding your application" not in "".join(by_address.values())


def test_an_application_refused_after_its_first_writes_leaves_no_trace() -> None:
    closed = CohortFactory(enrollment_cutoff=timezone.localdate() - timedelta(days=1))

    response = _apply(closed.pk, 3)

    assert response.status_code == 400
    assert "no longer takes applications" in response.json()["cohort"][0]
    # The application, its consent records and its confirmation were written before the cohort
    # was read under its lock; the refusal took them all back.
    assert not Application.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not DBTaskResult.objects.exists()
    _run_worker()
    assert mail.outbox == []


def test_the_message_is_part_of_the_change_itself() -> None:
    cohort = CohortFactory(capacity=1)

    with transaction.atomic():
        application_submit(cohort=cohort, **applicant(4))
        # Not yet committed, and the confirmation is already queued, in the same transaction...
        queued_before_commit = DBTaskResult.objects.count()
        transaction.set_rollback(True)

    assert queued_before_commit == 1
    # ...so that it is rolled back with the application.
    assert not Application.objects.exists()
    assert not DBTaskResult.objects.exists()
