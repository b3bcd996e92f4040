"""Cohort PDFs exported in the background: export_start queues one, and documents.tasks.run_export
runs documents.services.export_run in the worker. Kept apart from services.py because it imports
the task, which imports services."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from backend.errors import NotAllowed
from documents.models import ExportJob, ExportKind, ExportStatus
from documents.selectors import BATCH, graduates
from documents.services import CERTIFICATES_PER_PART
from documents.tasks import run_export
from enrollment.models import Cohort

# An export still queued or running after this long has lost its worker.
STALE_AFTER = timedelta(minutes=30)


def export_start(*, kind: str, cohort: Cohort, by: User | None) -> ExportJob:
    """Queue a background export; an export of the same kind and cohort still under way is
    returned instead of starting a second one."""
    if kind == ExportKind.CERTIFICATES and not graduates(cohort).exists():
        raise NotAllowed("No student of this cohort has graduated yet: there is no certificate.")
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        under_way = ExportJob.objects.filter(
            kind=kind, cohort=cohort, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)
        )
        # A job whose worker died (a deploy, a killed process) must not block the cohort for good.
        under_way.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
            status=ExportStatus.FAILED,
            error="The export stopped without finishing; start it again.",
            finished_at=timezone.now(),
        )
        running = under_way.first()
        if running is not None:
            return running
        students = cohort.students.count()
        job = ExportJob.objects.create(
            kind=kind, cohort=cohort, requested_by=by, total=_steps(kind, students)
        )
        transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


def _steps(kind: str, students: int) -> int:
    """Data batches, then the rendered parts (one for a roster), then storing the file."""
    batches = max(1, -(-students // BATCH))
    parts = 1 if kind == ExportKind.ROSTER else max(1, -(-students // CERTIFICATES_PER_PART))
    return batches + parts + 1
