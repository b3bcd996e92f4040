"""Acting on a flag from the student's page: book the exam or its retake and record its result,
record a job application, an offer and its answer, a placement, and close a session with its
outcome. Each parses its form, calls one service (careers' or coaching's, which hold the rules),
and returns to its section with the message there; a refusal comes back beside its form, in the
service's words. The student's coach and admins only, as for the rest of the page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from backend.dates import long_day
from backend.errors import DomainError
from careers.exams import exam_attempt_create, exam_attempt_update
from careers.models import JobApplication, JobApplicationStatus
from careers.selectors import exam_attempts, job_applications
from careers.services import job_application_record, job_application_update, placement_record
from coaching.forms import (
    ExamBookingForm,
    ExamResultForm,
    JobApplicationForm,
    JobApplicationUpdateForm,
    PlacementForm,
    SessionCloseForm,
)
from coaching.models import CoachingSession, SessionStatus
from coaching.pages import bound, caseload_student, done, refuse, render_student
from coaching.services import session_update


def _job(application: JobApplication) -> str:
    """The application in words, with the answer date of an offer."""
    said = f"{application.role} at {application.employer}"
    if application.status == JobApplicationStatus.OFFERED and application.respond_by:
        return f"{said}, to be answered by {long_day(application.respond_by)}"
    return f"{said}, {application.get_status_display().lower()}"


@login_required
@require_POST
def exam_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book the student's next attempt (a retake after a failed one)."""
    student = caseload_student(request, pk)
    form = bound(ExamBookingForm, "exam", request)
    status = 400
    if form.is_valid():
        try:
            attempt = exam_attempt_create(student=student, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            # Not exam-ready: the reasons go beside the field that books anyway.
            refuse(form, exc, {"student": "override_reason"})
            status = exc.status_code
        else:
            what = "Retake" if attempt.attempt_number > 1 else "Exam"
            text = f"{what} booked: attempt {attempt.attempt_number} on {long_day(attempt.sat_on)}."
            return done(request, student, "exam", text)
    return render_student(request, student, status=status, posted={"exam": form})


@login_required
@require_POST
def exam_result(request: HttpRequest, pk: int, attempt: int) -> HttpResponse:
    """Record the result of the student's booked attempt."""
    student = caseload_student(request, pk)
    booked = get_object_or_404(exam_attempts(request.user).filter(student=student), pk=attempt)
    form = bound(ExamResultForm, "result", request)
    status = 400
    if form.is_valid():
        try:
            booked = exam_attempt_update(
                attempt=booked, sat_on=booked.sat_on, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            refuse(form, exc)
            status = exc.status_code
        else:
            text = f"Attempt {booked.attempt_number}: {booked.get_result_display().lower()}."
            return done(request, student, "exam", text)
    return render_student(request, student, status=status, posted={"result": form})


@login_required
@require_POST
def job_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a job the student applied for, or an offer with the day to answer by."""
    student = caseload_student(request, pk)
    form = bound(JobApplicationForm, "job", request)
    status = 400
    if form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            application = job_application_record(
                student=student, employer_name=fields.pop("employer"), **fields
            )
        except DomainError as exc:
            refuse(form, exc, {"name": "employer"})
            status = exc.status_code
        else:
            offer = application.status == JobApplicationStatus.OFFERED
            text = f"{'Offer' if offer else 'Application'} recorded: {_job(application)}."
            return done(request, student, "jobs", text)
    return render_student(request, student, status=status, posted={"job": form})


@login_required
@require_POST
def job_update(request: HttpRequest, pk: int, application: int) -> HttpResponse:
    """Move an application on: an interview, an offer and its answer date, the answer."""
    student = caseload_student(request, pk)
    records = job_applications(request.user).filter(student=student)
    record = get_object_or_404(records, pk=application)
    key = f"job-{record.pk}"
    form = bound(JobApplicationUpdateForm, key, request)
    status = 400
    if form.is_valid():
        try:
            record = job_application_update(application=record, **form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
            status = exc.status_code
        else:
            return done(request, student, "jobs", f"Updated: {_job(record)}.")
    return render_student(request, student, status=status, posted={key: form})


@login_required
@require_POST
def placement_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the job the student took, with the evidence."""
    student = caseload_student(request, pk)
    form = bound(PlacementForm, "placement", request)
    status = 400
    if form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            placement = placement_record(
                student=student,
                employer_name=fields.pop("employer"),
                hourly_wage_cents=fields.pop("hourly_wage"),
                by=request.user,
                **fields,
            )
        except DomainError as exc:
            refuse(form, exc, {"name": "employer", "hourly_wage_cents": "hourly_wage"})
            status = exc.status_code
        else:
            text = (
                f"Placement recorded: {placement.title} at {placement.employer}, starting "
                f"{long_day(placement.start_date)}."
            )
            return done(request, student, "placements", text)
    return render_student(request, student, status=status, posted={"placement": form})


@login_required
@require_POST
def session_close(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    """Mark a session held, with its outcome and next step, or missed."""
    student = caseload_student(request, pk)
    record = get_object_or_404(CoachingSession, pk=session, student=student)
    key = f"close-{record.pk}"
    form = bound(SessionCloseForm, key, request)
    status = 400
    if form.is_valid():
        try:
            record = session_update(session=record, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
            status = exc.status_code
        else:
            held = record.status == SessionStatus.HELD
            on = long_day(record.starts_at)
            text = f"The session of {on} is marked {'held' if held else 'missed'}."
            return done(request, student, "sessions", text)
    return render_student(request, student, status=status, posted={key: form})
