"""Cohort PDFs exported in the background: export_start queues one, and documents.tasks.run_export
runs documents.services.export_run in the worker. Kept apart from services.py because it imports
the task, which imports services."""

from django.db import transaction

from accounts.models import User
from backend.errors import NotAllowed
from backend.outbox import enqueue_with_change
from documents.models import ExportJob, ExportKind
from documents.selectors import BATCH, graduates
from documents.services import CERTIFICATES_PER_PART, exports_fail_lost
from documents.tasks import run_export
from enrollment.models import Cohort


def export_start(*, kind: str, cohort: Cohort, by: User | None) -> ExportJob:
    """Queue a background export; an export of the same kind and cohort still under way is
    returned instead of starting a second one, unless its worker is gone (no heartbeat for
    EXPORT_HEARTBEAT_TIMEOUT seconds): that one is recorded as failed and a fresh one starts."""
    if kind == ExportKind.CERTIFICATES and not graduates(cohort).exists():
        raise NotAllowed("No student of this cohort has graduated yet: there is no certificate.")
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        exports_fail_lost(kind=kind, cohort=cohort)
        running = ExportJob.objects.under_way().filter(kind=kind, cohort=cohort).first()
        if running is not None:
            return running
        students = cohort.students.count()
        job = ExportJob.objects.create(
            kind=kind, cohort=cohort, requested_by=by, total=_steps(kind, students)
        )
        enqueue_with_change(run_export, job.pk)
    return job


def _steps(kind: str, students: int) -> int:
    """Data batches, then the rendered parts (one for a roster), then storing the file."""
    batches = max(1, -(-students // BATCH))
    parts = 1 if kind == ExportKind.ROSTER else max(1, -(-students // CERTIFICATES_PER_PART))
    return batches + parts + 1
