"""The coach's pages: the day (caseload, most urgent first, searched, sorted and paged) and one
student's record with its notes, sessions and messages; and the calendar files. The student
page's actions on flags (exam, jobs, placements, closing sessions) are in coaching.actions."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from backend.dates import long_moment
from backend.errors import DomainError
from coaching.calendar import feed_coach, feed_token, to_ics
from coaching.caseload import PAGE_SIZE, Sort, bars, named, sort_rows
from coaching.forms import CaseloadFilterForm, MessageForm, NoteForm, SessionForm
from coaching.models import CoachingSession
from coaching.pages import bound, caseload_student, done, refuse, render_student, staff
from coaching.selectors import caseload
from coaching.services import message_student, note_add, session_schedule
from externships.selectors import progress_for, visible_students


@login_required
def coach(request: HttpRequest) -> HttpResponse:
    """The caseload: filtered and searched in the query, flagged and sorted in the rows, and
    only the page's 25 students read for progress (all of them when sorting by it)."""
    user = staff(request)
    students = visible_students(user)
    cohorts = sorted({(s.cohort_id, str(s.cohort)) for s in students}, key=lambda c: c[1])
    form = CaseloadFilterForm(request.GET or None, cohorts=cohorts)
    form.is_valid()  # a choice that is not valid is shown with its error; the others apply
    wanted = getattr(form, "cleaned_data", {})
    if wanted.get("cohort"):
        students = students.filter(cohort_id=wanted["cohort"])
    if wanted.get("stage"):
        students = students.filter(stage=wanted["stage"])
    if wanted.get("q"):
        students = named(students, wanted["q"])
    rows = caseload(students)
    if wanted.get("flag"):
        rows = [row for row in rows if any(flag.code == wanted["flag"] for flag in row.flags)]
    sort = wanted.get("sort") or Sort.URGENT
    progress = progress_for([row.student for row in rows]) if sort == Sort.PROGRESS else {}
    page = Paginator(sort_rows(rows, sort, progress), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    progress = progress or progress_for([row.student for row in shown])
    context = {
        "rows": [(row.flags, row.student, bars(progress[row.student.pk])) for row in shown],
        "page": page,
        "form": form,
        "feed_url": request.build_absolute_uri(reverse("coach-feed", args=[feed_token(user)])),
    }
    return render(request, "coaching/coach.html", context)


@login_required
def coach_student(request: HttpRequest, pk: int) -> HttpResponse:
    return render_student(request, caseload_student(request, pk))


@login_required
@require_POST
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = caseload_student(request, pk)
    form = bound(NoteForm, "note", request)
    if not form.is_valid():
        return render_student(request, student, status=400, posted={"note": form})
    note_add(student=student, author=request.user, body=form.cleaned_data["body"])
    return done(request, student, "notes", "Note added.")


@login_required
@require_POST
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = caseload_student(request, pk)
    form = bound(SessionForm, "session", request)
    if form.is_valid():
        try:
            session = session_schedule(student=student, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
        else:
            text = f"Session booked for {long_moment(session.starts_at)}"  # ends in "p.m."
            return done(request, student, "sessions", text)
    return render_student(request, student, status=400, posted={"session": form})


@login_required
@require_POST
def message_new(request: HttpRequest, pk: int) -> HttpResponse:
    student = caseload_student(request, pk)
    form = bound(MessageForm, "message", request)
    if form.is_valid():
        try:
            message = message_student(student=student, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
        else:
            text = f"{message.get_channel_display()} queued for {student}."
            return done(request, student, "message", text)
    return render_student(request, student, status=400, posted={"message": form})


def _ics(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One session as an .ics file: for its student, their coach and admins."""
    students = visible_students(request.user).values("pk")
    session = get_object_or_404(
        CoachingSession.objects.select_related("student__user"), pk=pk, student__in=students
    )
    return _ics(to_ics([session], "Coaching session"), f"coaching-session-{session.pk}.ics")


def coach_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A coach's sessions as a subscribable calendar; the signed address is the credential."""
    coach = feed_coach(token)
    if coach is None:
        raise Http404
    sessions = CoachingSession.objects.filter(coach=coach).select_related("student__user")
    return _ics(to_ics(list(sessions), f"Coaching · {coach}"), "coaching.ics")
