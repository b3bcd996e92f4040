"""Certificates (issue, revoke) and cohort PDFs (in the request, or exported in the background
with progress: documents/exports.py starts an export, export_run below runs it). Rendering of
background exports happens in a recycled worker process."""

import logging
import time
from collections.abc import Callable
from datetime import date

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from backend.dates import day
from backend.errors import NotAllowed, RuleViolation
from documents import rendering
from documents.models import Certificate, ExportJob, ExportKind, ExportStatus
from documents.selectors import (
    RosterRow,
    certificate_facts,
    completion_dates,
    graduates,
    roster_batches,
)
from enrollment.models import Cohort, Student, StudentStage
from externships.selectors import progress_for

logger = logging.getLogger(__name__)

# Certificates per HTML document in a batch: each is one step of an export's progress.
CERTIFICATES_PER_PART = 25


def certificate_issue(*, student: Student, by: User | None, anew: bool = False) -> Certificate:
    """The student's valid certificate, issued now if they have none. Completion holds once the
    student has graduated and their approved logs meet their edition of the clinical requirements
    (checked again here, whatever the stage says), and the certificate carries the graduation
    date. After a revocation only an admin issues anew."""
    with transaction.atomic():
        # PostgreSQL locks no row on the nullable side of an outer join (the edition): lock the
        # student alone.
        current = (
            Student.objects.select_for_update(of=("self",))
            .select_related("user", "requirement_set")
            .get(pk=student.pk)
        )
        if current.stage != StudentStage.GRADUATED:
            raise NotAllowed(
                f"A certificate is issued once the student has graduated; {current} is "
                f"{current.get_stage_display().lower()}."
            )
        latest = current.certificates.order_by("-issued_at", "-id").first()
        if latest is not None and not latest.is_revoked:
            return latest
        if latest is not None and not anew:
            raise NotAllowed(
                f"The certificate was revoked on {day(latest.revoked_at)}; "
                "only an admin can issue a new one."
            )
        progress = progress_for([current])[current.pk]
        if not progress.complete:
            missing = "; ".join(progress.missing) or "no clinical requirements are recorded"
            raise NotAllowed(
                f"A certificate is issued once the clinical requirements are met; {current} "
                f"has not met them yet: {missing}."
            )
        completed_on = completion_dates([current]).get(current.pk) or timezone.localdate()
        certificate = Certificate(student=current, completed_on=completed_on, issued_by=by)
        certificate.qr_url = verification_url(certificate.code)
        certificate.qr = qr_data_uri(certificate.qr_url)
        certificate.save()
        return certificate


def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a certificate: from now on its verification page says so."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Say why the certificate is revoked.", field="reason")
    with transaction.atomic():
        current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if current.is_revoked:
            raise NotAllowed(f"This certificate was already revoked on {day(current.revoked_at)}.")
        current.revoked_at, current.revoked_by, current.revoke_reason = timezone.now(), by, reason
        current.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return current


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("verify", args=[code])


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as a PNG data URI, one pixel a module (the PDF scales it sharp)."""
    return segno.make(url, error="m").png_data_uri(scale=1, border=1)


def certificate_qr(certificate: Certificate) -> str:
    """The certificate's stored QR code, made again (and kept) when SITE_URL has changed."""
    url = verification_url(certificate.code)
    if certificate.qr_url != url or not certificate.qr:
        certificate.qr_url, certificate.qr = url, qr_data_uri(url)
        Certificate.objects.filter(pk=certificate.pk).update(qr_url=url, qr=certificate.qr)
    return certificate.qr


def certificates_html(certificates: list[Certificate]) -> str:
    """One HTML document with a page per certificate."""
    facts = certificate_facts(certificates)
    for cert in facts:
        cert.qr = certificate_qr(cert.certificate)
        cert.url = cert.certificate.qr_url
    return render_to_string(
        "documents/certificates.html", {"certificates": facts, "site_name": settings.SITE_NAME}
    )


def certificates_pdf(certificates: list[Certificate]) -> bytes:
    return rendering.html_to_pdf([certificates_html(certificates)])


def cohort_certificates(
    cohort: Cohort, by: User | None, on_each: Callable[[], None] | None = None
) -> list[Certificate]:
    """A valid certificate for each graduate of the cohort (issued now where missing); graduates
    whose certificate was revoked are left out. `on_each` is called after each graduate."""
    issued = []
    for student in graduates(cohort):
        if on_each is not None:
            on_each()
        try:
            issued.append(certificate_issue(student=student, by=by))
        except NotAllowed:
            continue
    return certificates_in_order([c.pk for c in issued])


def certificates_in_order(ids: list[int]) -> list[Certificate]:
    """The certificates, in the order given, with what they print joined in."""
    loaded = Certificate.objects.filter(pk__in=ids).select_related(
        "student__user", "student__cohort__program", "student__requirement_set"
    )
    by_id = {certificate.pk: certificate for certificate in loaded}
    return [by_id[pk] for pk in ids]


def roster_html(cohort: Cohort, batches: list[list[RosterRow]], on: date | None = None) -> str:
    return render_to_string(
        "documents/roster.html",
        {
            "cohort": cohort,
            "batches": batches,
            "count": sum(len(batch) for batch in batches),
            "generated_on": on or timezone.localdate(),
            "site_name": settings.SITE_NAME,
        },
    )


def roster_pdf(cohort: Cohort) -> bytes:
    """The roster rendered here, in the request (for cohorts up to PDF_SYNC_MAX_STUDENTS)."""
    return rendering.html_to_pdf([roster_html(cohort, list(roster_batches(cohort)))])


def renders_in_request(cohort: Cohort) -> bool:
    return cohort.students.count() <= settings.PDF_SYNC_MAX_STUDENTS


class Heartbeat:
    """The worker's sign of life on a running export: written with each step of progress, and
    in between (while a long document renders) at most every few seconds; one UPDATE by primary
    key each time. A job without one for EXPORT_HEARTBEAT_TIMEOUT seconds counts as lost."""

    def __init__(self, job: ExportJob) -> None:
        self.job_id = job.pk
        self.every = min(15.0, settings.EXPORT_HEARTBEAT_TIMEOUT / 4)
        self.last = time.monotonic()

    def _write(self, **changes: object) -> None:
        ExportJob.objects.filter(pk=self.job_id, status=ExportStatus.RUNNING).update(
            heartbeat_at=timezone.now(), **changes
        )
        self.last = time.monotonic()

    def step(self) -> None:
        """One step of progress done."""
        self._write(done=Least(F("done") + 1, F("total")))

    def beat(self) -> None:
        """Still alive (cheap to call often: it writes only when the last beat is old)."""
        if time.monotonic() - self.last >= self.every:
            self._write()


def exports_fail_lost(*, kind: str | None = None, cohort: Cohort | None = None) -> int:
    """Record as failed the exports whose worker is gone (ExportJob.objects.lost()), so that
    they can be started again; how many. The periodic job runs it for every export."""
    lost = ExportJob.objects.lost()
    if kind is not None:
        lost = lost.filter(kind=kind)
    if cohort is not None:
        lost = lost.filter(cohort=cohort)
    failed = 0
    for job in lost:
        # The same rule again in the UPDATE: a heartbeat that arrived meanwhile keeps it alive.
        failed += (
            ExportJob.objects.lost()
            .filter(pk=job.pk)
            .update(status=ExportStatus.FAILED, error=job.lost_reason, finished_at=timezone.now())
        )
    return failed


def export_run(job_id: int) -> ExportJob:
    """Gather, render in the worker process, store; the file replaces the previous export of
    the same kind and cohort. A failure is recorded on the job, never left running; a job
    recorded as lost meanwhile (its heartbeat stopped too long) keeps its failure."""
    job = ExportJob.objects.select_related("cohort__program", "requested_by").get(pk=job_id)
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:  # another worker has it, or it is over
        return job
    heartbeat = Heartbeat(job)
    try:
        parts = _export_parts(job, heartbeat)
        ExportJob.objects.filter(pk=job.pk).update(total=F("done") + len(parts) + 1)
        pdf = rendering.html_to_pdf_in_worker(
            parts,
            renders_per_worker=settings.PDF_RENDERS_PER_WORKER,
            on_part=heartbeat.step,
            on_wait=heartbeat.beat,
        )
        job.refresh_from_db()
        job.file.save(job.filename, ContentFile(pdf), save=False)
    except BaseException as exc:
        # SystemExit and KeyboardInterrupt too (a worker told to stop twice): never left running.
        logger.exception("PDF export %s failed", job.pk)
        error = (
            str(exc)[:300]
            if isinstance(exc, Exception)
            else "The worker was stopped during the export; start it again."
        )
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, error=error, finished_at=timezone.now()
        )
        if not isinstance(exc, Exception):
            raise
        job.refresh_from_db()
        return job
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        file=job.file.name, status=ExportStatus.READY, done=F("total"), finished_at=timezone.now()
    )
    if not finished:  # failed as lost while this worker was away: its file is not wanted
        job.file.delete(save=False)
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    _replace_previous(job)
    return job


def _export_parts(job: ExportJob, heartbeat: Heartbeat) -> list[str]:
    if job.kind == ExportKind.ROSTER:
        batches = []
        for batch in roster_batches(job.cohort):
            batches.append(batch)
            heartbeat.step()
        return [roster_html(job.cohort, batches)]
    certificates = cohort_certificates(job.cohort, job.requested_by, on_each=heartbeat.beat)
    heartbeat.step()
    return [
        certificates_html(certificates[start : start + CERTIFICATES_PER_PART])
        for start in range(0, len(certificates), CERTIFICATES_PER_PART)
    ]


def _replace_previous(job: ExportJob) -> None:
    """Earlier finished exports of the same kind and cohort go, with their files."""
    previous = ExportJob.objects.filter(
        kind=job.kind,
        cohort_id=job.cohort_id,
        status__in=(ExportStatus.READY, ExportStatus.FAILED),
        created_at__lte=job.created_at,
    ).exclude(pk=job.pk)
    for old in previous:
        if old.file:
            old.file.delete(save=False)
        old.delete()
