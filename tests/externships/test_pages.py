"""The externship pages: /me/ (student), /review/ and the emailed review link (supervisor),
/coach/ (coach).

The cast:
- alex: a student placed at the clinic; sees and logs only their own work.
- blake: a student placed at the hospital, with another coach.
- supervisor: supervises at the clinic; reviews the clinic's logs, nothing else.
- other_supervisor: supervises at the hospital only.
- coach: alex's coach; sees alex, not blake.
- admin_user: sees every student and every log.
"""

import re
from datetime import date, time, timedelta
from html import unescape

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from backend.dates import short_day
from enrollment.models import Program, Student, Track
from externships import review_links
from externships.defaults import DEFAULT_REQUIREMENTS
from externships.models import (
    ComplianceDocument,
    DocumentKind,
    Externship,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureLog,
    Requirement,
    RequirementSet,
    Site,
)
from externships.review_links import review_link_token
from externships.services import (
    externship_create,
    hour_log_create,
    log_decide,
    procedure_log_create,
)
from tests.conftest import with_role
from tests.factories import CohortFactory, ProgramFactory

# -- the cast -----------------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def program(db: None) -> Program:
    program = ProgramFactory()
    requirements = RequirementSet.objects.create(
        program=program, edition="NHA CPT 2024", source="NHA CPT candidate handbook"
    )
    Requirement.objects.create(
        requirement_set=requirements,
        kind="hours",
        label="Externship hours",
        params={"hours": 160},
        position=0,
    )
    Requirement.objects.create(
        requirement_set=requirements,
        kind="procedures",
        label="Successful venipunctures",
        params={"procedure": "venipuncture", "count": 30},
        position=1,
    )
    return program


def site_for(program: Program, name: str, supervisor: User) -> Site:
    site = Site.objects.create(
        name=name,
        kind="clinic",
        address="1 Main St",
        capacity=5,
        agreement_valid_until=today() + timedelta(days=365),
    )
    site.programs.add(program)
    site.supervisors.add(supervisor)
    return site


def placed_student(
    user: User, program: Program, site: Site, supervisor: User, coach: User
) -> Student:
    student = Student.objects.create(
        user=user,
        cohort=CohortFactory(program=program),
        coach=coach,
        requirement_set=program.requirement_sets.get(is_current=True),
    )
    for kind in DocumentKind:
        ComplianceDocument.objects.create(
            student=student, kind=kind, received_on=today() - timedelta(days=40)
        )
    externship_create(
        student=student,
        site=site,
        supervisor=supervisor,
        starts_on=today() - timedelta(days=30),
        ends_on=today() + timedelta(days=60),
    )
    return student


@pytest.fixture
def other_supervisor(db: None) -> User:
    return with_role(Role.SUPERVISOR, email="preceptor@hospital.test")


@pytest.fixture
def other_coach(db: None) -> User:
    return with_role(Role.COACH, email="other.coach@school.test")


@pytest.fixture
def alex(student: User, program: Program, supervisor: User, coach: User) -> Student:
    student.first_name, student.last_name = "Alex", "Rivera"
    student.save()
    return placed_student(
        student, program, site_for(program, "Eastside Clinic", supervisor), supervisor, coach
    )


@pytest.fixture
def blake(program: Program, other_supervisor: User, other_coach: User) -> Student:
    user = with_role(Role.STUDENT, email="blake@school.test", first_name="Blake", last_name="Ng")
    site = site_for(program, "Mercy Hospital", other_supervisor)
    return placed_student(user, program, site, other_supervisor, other_coach)


def externship_of(student: Student) -> Externship:
    return student.externships.get()


def shift(student: Student, days_ago: int = 1, start: int = 8, end: int = 16) -> HourLog:
    return hour_log_create(
        student=student,
        externship=externship_of(student),
        date=today() - timedelta(days=days_ago),
        start_time=time(start),
        end_time=time(end),
        activities="Vitals and intake",
    )


def sticks(student: Student, count: int = 3) -> ProcedureLog:
    return procedure_log_create(
        student=student,
        externship=externship_of(student),
        date=today() - timedelta(days=1),
        kind="venipuncture",
        count=count,
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def error_of(html: str, field_id: str) -> str:
    """The text of a field's error list, found by the id its input's aria-describedby names."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error"[^>]*>(.*?)</ul>', html, re.S)
    assert match, f"no error list for {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- /me/ ---------------------------------------------------------------------------------------


def test_me_asks_a_visitor_to_sign_in(client: Client) -> None:
    response = client.get("/me/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/me/"


def test_me_is_not_found_for_someone_who_is_not_a_student(coach: User) -> None:
    assert signed_in(coach).get("/me/").status_code == 404


def test_me_shows_progress_bars_from_approved_logs_only_with_what_is_missing(
    alex: Student, supervisor: User
) -> None:
    log_decide(log=shift(alex, days_ago=2), decision="approved", by=supervisor)
    shift(alex, days_ago=1)  # pending: not counted
    log_decide(log=sticks(alex, count=4), decision="approved", by=supervisor)

    response = signed_in(alex.user).get("/me/")

    assert response.status_code == 200
    html = text_of(response)
    assert "NHA CPT 2024" in html
    assert re.search(r'<label for="progress-1-1">.*?Externship hours: 8 of 160 hours', html)
    assert '<progress id="progress-1-1" max="160" value="8.0">' in html
    assert "152 hours to go" in html
    assert '<progress id="progress-2-1" max="30" value="4">' in html
    assert "26 venipunctures to go" in html


def test_me_shows_the_active_externship_and_both_log_forms(alex: Student) -> None:
    html = text_of(signed_in(alex.user).get("/me/"))

    assert "Externship at <strong>Eastside Clinic</strong>" in html
    for field in ["date", "start_time", "end_time", "ends_next_day", "break_minutes", "urgent"]:
        assert f'<label for="id_hours_{field}">' in html
    for field in ["date", "kind", "count", "successful", "urgent"]:
        assert f'<label for="id_procedures_{field}">' in html
    # Alex's edition counts venipunctures only: no case or competency to log, nothing typed.
    kinds = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html).group(1)
    assert re.findall(r'<option value="(\w+)"', kinds) == ["venipuncture"]
    for field in ["specialty", "role", "competency"]:
        assert f'id="id_procedures_{field}"' not in html


def test_an_hours_only_edition_offers_no_procedure_and_says_why(alex: Student) -> None:
    Requirement.objects.filter(kind="procedures").delete()

    html = text_of(signed_in(alex.user).get("/me/"))

    assert (
        "Your program's requirements (NHA CPT 2024) count hours only, so there is no procedure "
        "to log."
    ) in html
    assert 'id="id_procedures_kind"' not in html
    assert "Log procedures" not in html
    assert 'id="id_hours_start_time"' in html


def test_a_competency_is_chosen_from_the_checklist_never_typed(alex: Student) -> None:
    Requirement.objects.create(
        requirement_set=alex.requirement_set,
        kind="competencies",
        label="Competency checklist",
        params={"items": ["Vital signs", "Injections"]},
        position=2,
    )
    client = signed_in(alex.user)
    html = text_of(client.get("/me/"))
    competency = re.search(r'<select name="competency"[^>]*>(.*?)</select>', html).group(1)
    assert re.findall(r'<option value="([^"]*)"', competency) == ["", "Vital signs", "Injections"]
    day = (today() - timedelta(days=1)).isoformat()

    typed = client.post(
        "/me/procedures/",
        {"date": day, "kind": "competency", "count": "1", "competency": "Juggling"},
    )
    chosen = client.post(
        "/me/procedures/",
        {
            "date": day,
            "kind": "competency",
            "count": "1",
            "successful": "on",
            "competency": "Injections",
        },
    )

    assert typed.status_code == 400
    assert "Select a valid choice." in error_of(typed.content.decode(), "id_procedures_competency")
    assert chosen.status_code == 302
    assert chosen.url == "/me/#log-procedures"
    assert ProcedureLog.objects.get().competency == "Injections"


def test_a_student_logs_a_shift_and_it_waits_for_the_supervisor(alex: Student) -> None:
    client = signed_in(alex.user)
    day = today() - timedelta(days=3)
    response = client.post(
        "/me/hours/",
        {
            "date": day.isoformat(),
            "start_time": "09:00",
            "end_time": "17:30",
            "break_minutes": "30",
            "activities": "Front desk and vitals",
        },
    )

    assert response.status_code == 302
    assert response.url == "/me/#log-hours"  # back at the form
    log = HourLog.objects.get()
    assert (log.date, log.minutes, log.status) == (day, 8 * 60, LogStatus.PENDING)
    html = text_of(client.get("/me/"))
    assert "Front desk and vitals" in html
    assert 'data-status="pending"' in html
    # The message sits inside the form it is about, in view where the page lands.
    hours_form = re.search(r'<form [^>]*id="log-hours".*?</form>', html).group(0)
    assert "Logged" not in html.replace(hours_form, "")  # and nowhere else
    assert (
        f'<p class="message success" role="status">Logged {short_day(day, weekday=True)}: '
        "9:00 a.m. to 5:30 p.m., 8 hours. It waits for your supervisor's sign-off.</p>"
    ) in unescape(hours_form)


def test_a_student_logs_a_night_shift_that_ends_the_next_morning(alex: Student) -> None:
    client = signed_in(alex.user)
    night = today() - timedelta(days=2)
    response = client.post(
        "/me/hours/",
        {
            "date": night.isoformat(),
            "start_time": "22:00",
            "end_time": "06:00",
            "ends_next_day": "on",
            "break_minutes": "0",
            "activities": "Night shift, ED",
        },
    )

    assert response.status_code == 302
    log = HourLog.objects.get()
    assert (log.minutes, log.ends_next_day) == (480, True)
    assert "10:00 p.m. to 6:00 a.m. (next day): 8 hours." in text_of(client.get("/me/"))


def test_a_night_shift_without_the_next_day_box_says_what_to_tick(alex: Student) -> None:
    response = signed_in(alex.user).post(
        "/me/hours/",
        {
            "date": (today() - timedelta(days=2)).isoformat(),
            "start_time": "22:00",
            "end_time": "06:00",
            "break_minutes": "0",
            "activities": "Night shift",
        },
    )

    assert response.status_code == 400
    assert error_of(response.content.decode(), "id_hours_end_time") == (
        "The end time must be after the start time. A night shift that ends the next morning "
        "is marked as ending the next day."
    )
    assert HourLog.objects.count() == 0


def test_the_log_forms_post_back_to_their_own_place_on_the_page(alex: Student) -> None:
    html = signed_in(alex.user).get("/me/").content.decode()

    assert 'action="/me/hours/#log-hours" id="log-hours"' in html
    assert 'action="/me/procedures/#log-procedures" id="log-procedures"' in html


def test_a_future_shift_is_refused_next_to_the_date_and_nothing_is_saved(alex: Student) -> None:
    tomorrow = today() + timedelta(days=1)
    response = signed_in(alex.user).post(
        "/me/hours/",
        {
            "date": tomorrow.isoformat(),
            "start_time": "09:00",
            "end_time": "17:00",
            "break_minutes": "0",
            "activities": "x",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert error_of(html, "id_hours_date") == "The date cannot be in the future."
    described_by = re.search(r'aria-describedby="([^"]+)" id="id_hours_date"', html)
    assert "id_hours_date_error" in described_by.group(1).split()
    assert f'value="{tomorrow.isoformat()}"' in html  # what was typed stays
    assert HourLog.objects.count() == 0


def test_an_overlapping_shift_is_refused_next_to_the_start_time(alex: Student) -> None:
    existing = shift(alex, days_ago=1, start=8, end=16)
    response = signed_in(alex.user).post(
        "/me/hours/",
        {
            "date": existing.date.isoformat(),
            "start_time": "15:00",
            "end_time": "18:00",
            "break_minutes": "0",
            "activities": "Late shift",
        },
    )

    assert response.status_code == 400
    assert error_of(response.content.decode(), "id_hours_start_time") == (
        "This overlaps a shift you already logged that day."
    )
    assert HourLog.objects.count() == 1


def test_a_surgical_case_without_a_role_is_refused_next_to_the_role(alex: Student) -> None:
    Requirement.objects.create(
        requirement_set=alex.requirement_set,
        kind="surgical_cases",
        label="Surgical cases",
        params=DEFAULT_REQUIREMENTS[Track.SURGICAL_TECHNOLOGIST]["requirements"][0][2],
    )
    response = signed_in(alex.user).post(
        "/me/procedures/",
        {
            "date": (today() - timedelta(days=1)).isoformat(),
            "kind": "surgical_case",
            "count": "1",
            "specialty": "orthopedic",
            "role": "",
        },
    )

    assert response.status_code == 400
    assert "A surgical case needs the role" in error_of(
        response.content.decode(), "id_procedures_role"
    )
    assert ProcedureLog.objects.count() == 0


def test_a_student_logs_procedures(alex: Student) -> None:
    response = signed_in(alex.user).post(
        "/me/procedures/",
        {
            "date": (today() - timedelta(days=1)).isoformat(),
            "kind": "venipuncture",
            "count": "5",
            "successful": "on",
        },
    )

    assert response.status_code == 302
    log = ProcedureLog.objects.get()
    assert (log.kind, log.count, log.successful, log.status) == ("venipuncture", 5, True, "pending")


def test_a_student_without_an_active_externship_cannot_log(
    student: User, program: Program, coach: User
) -> None:
    Student.objects.create(user=student, cohort=CohortFactory(program=program), coach=coach)
    client = signed_in(student)

    assert "You have no active externship" in client.get("/me/").content.decode()
    response = client.post("/me/procedures/", {"date": today().isoformat(), "kind": "venipuncture"})
    assert response.status_code == 400
    assert ProcedureLog.objects.count() == 0


def test_a_student_sees_only_their_own_logs(alex: Student, blake: Student) -> None:
    shift(alex)
    hour_log_create(
        student=blake,
        externship=externship_of(blake),
        date=today() - timedelta(days=1),
        start_time=time(7),
        end_time=time(11),
        activities="Blake's secret shift",
    )

    html = signed_in(alex.user).get("/me/").content.decode()

    assert "Vitals and intake" in html
    assert "Blake" not in html


def test_the_supervisors_reason_shows_and_a_needs_info_log_can_be_answered(
    alex: Student, supervisor: User
) -> None:
    log = log_decide(
        log=shift(alex), decision="needs_info", reason="Which clinic room?", by=supervisor
    )
    client = signed_in(alex.user)
    html = client.get("/me/").content.decode()
    assert "Which clinic room?" in html
    assert f'action="/me/logs/hour/{log.pk}/answer/#log-hour-{log.pk}"' in html
    assert f'<label for="id_hour-{log.pk}-notes">Your answer</label>' in html

    response = client.post(
        f"/me/logs/hour/{log.pk}/answer/", {f"hour-{log.pk}-notes": "Room 4, with Dr. Lee."}
    )

    assert response.status_code == 302
    assert response.url == f"/me/#log-hour-{log.pk}"  # back at its row
    row = re.search(rf'<tr id="log-hour-{log.pk}">.*?</tr>', text_of(client.get("/me/"))).group(0)
    assert "Thank you. The log is back with your supervisor, in their next morning summary." in row
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING
    assert "Room 4, with Dr. Lee." in log.notes


def test_an_empty_answer_is_refused_next_to_its_field(alex: Student, supervisor: User) -> None:
    log = log_decide(log=shift(alex), decision="needs_info", reason="Which room?", by=supervisor)

    response = signed_in(alex.user).post(f"/me/logs/hour/{log.pk}/answer/", {})

    assert response.status_code == 400
    assert error_of(response.content.decode(), f"id_hour-{log.pk}-notes") == (
        "This field is required."
    )
    log.refresh_from_db()
    assert log.status == LogStatus.NEEDS_INFO


def test_a_student_cannot_answer_another_students_log(
    alex: Student, blake: Student, other_supervisor: User
) -> None:
    log = log_decide(log=shift(blake), decision="needs_info", reason="?", by=other_supervisor)

    response = signed_in(alex.user).post(
        f"/me/logs/hour/{log.pk}/answer/", {f"hour-{log.pk}-notes": "hijacked"}
    )

    assert response.status_code == 404
    log.refresh_from_db()
    assert log.status == LogStatus.NEEDS_INFO


def test_a_log_that_is_not_waiting_for_information_cannot_be_answered(alex: Student) -> None:
    log = shift(alex)

    response = signed_in(alex.user).post(
        f"/me/logs/hour/{log.pk}/answer/", {f"hour-{log.pk}-notes": "More"}
    )

    assert response.status_code == 409
    assert "Only a log sent back for more information can be answered." in (
        response.content.decode()
    )


# -- /review/ (signed in) -----------------------------------------------------------------------


def test_the_review_page_lists_pending_logs_of_the_supervisors_sites_only(
    alex: Student, blake: Student, supervisor: User
) -> None:
    pending = shift(alex)
    decided = log_decide(log=shift(alex, days_ago=2), decision="approved", by=supervisor)
    shift(blake)

    html = signed_in(supervisor).get("/review/").content.decode()

    assert f'id="log-hour-{pending.pk}"' in html
    assert f'id="log-hour-{decided.pk}"' not in html
    assert "Alex Rivera" in html
    assert "Blake" not in html
    assert "Approve selected" in html


def test_the_review_page_is_for_supervisors(alex: Student, client: Client) -> None:
    assert signed_in(alex.user).get("/review/").status_code == 403
    assert client.get("/review/").status_code == 302


def test_a_supervisor_approves_a_log_when_signed_in(alex: Student, supervisor: User) -> None:
    log = shift(alex)

    response = signed_in(supervisor).post(
        f"/review/hour/{log.pk}/", {f"hour-{log.pk}-decision": "approved"}
    )

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == LogStatus.APPROVED
    decision = LogDecision.objects.get()
    assert (decision.decided_by, decision.via) == (supervisor, "login")


def test_rejecting_without_a_reason_is_refused_next_to_the_reason(
    alex: Student, supervisor: User
) -> None:
    log = sticks(alex)

    response = signed_in(supervisor).post(
        f"/review/procedure/{log.pk}/", {f"procedure-{log.pk}-decision": "rejected"}
    )

    assert response.status_code == 400
    assert error_of(response.content.decode(), f"id_procedure-{log.pk}-reason") == (
        "Say why, so the student can put it right."
    )
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_a_supervisor_of_another_site_gets_404_on_a_log(
    alex: Student, other_supervisor: User
) -> None:
    log = shift(alex)

    response = signed_in(other_supervisor).post(
        f"/review/hour/{log.pk}/", {f"hour-{log.pk}-decision": "approved"}
    )

    assert response.status_code == 404
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_approve_selected_approves_the_checked_logs_of_both_kinds(
    alex: Student, supervisor: User
) -> None:
    first, second, left = shift(alex, days_ago=1), shift(alex, days_ago=2), shift(alex, days_ago=3)
    stick = sticks(alex)

    response = signed_in(supervisor).post(
        "/review/approve/", {"hour": [first.pk, second.pk], "procedure": [stick.pk]}
    )

    assert response.status_code == 302
    statuses = {log.pk: log.status for log in HourLog.objects.all()}
    assert statuses == {first.pk: "approved", second.pk: "approved", left.pk: "pending"}
    stick.refresh_from_db()
    assert stick.status == LogStatus.APPROVED
    assert LogDecision.objects.filter(via="login", decided_by=supervisor).count() == 3


def test_approve_selected_never_touches_a_log_of_another_site(
    alex: Student, blake: Student, supervisor: User
) -> None:
    own, foreign = shift(alex), shift(blake)
    client = signed_in(supervisor)

    response = client.post(
        "/review/approve/", {"hour": [own.pk, foreign.pk, "99999999999999999999"]}
    )

    assert response.status_code == 302
    assert HourLog.objects.get(pk=own.pk).status == "approved"
    assert HourLog.objects.get(pk=foreign.pk).status == "pending"
    assert "Approved 1 log of Alex Rivera." in client.get("/review/").content.decode()


def test_an_approved_log_is_frozen_a_second_decision_is_refused(
    alex: Student, supervisor: User
) -> None:
    log = log_decide(log=shift(alex), decision="approved", by=supervisor)

    response = signed_in(supervisor).post(
        f"/review/hour/{log.pk}/",
        {f"hour-{log.pk}-decision": "rejected", f"hour-{log.pk}-reason": "Oops"},
    )

    assert response.status_code == 409
    assert "This log is already approved; it cannot change." in response.content.decode()
    log.refresh_from_db()
    assert (log.status, log.decision_reason) == (LogStatus.APPROVED, "")
    assert LogDecision.objects.count() == 1


# -- the emailed review link --------------------------------------------------------------------


def emailed_link(student: Student, django_capture_on_commit_callbacks) -> tuple[HourLog, str]:
    """Log an urgent shift and return the path of the link the supervisor was emailed."""
    with django_capture_on_commit_callbacks(execute=True):
        log = hour_log_create(
            student=student,
            externship=externship_of(student),
            date=today() - timedelta(days=1),
            start_time=time(8),
            end_time=time(16),
            activities="Vitals and intake",
            urgent=True,
        )
    (message,) = mail.outbox
    return log, re.search(r"https?://[^/\s]+(/review/link/\S+/)", message.body).group(1)


def test_the_emailed_link_opens_the_log_without_signing_in(
    alex: Student, supervisor: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    _, path = emailed_link(alex, django_capture_on_commit_callbacks)

    response = client.get(path)

    assert response.status_code == 200
    html = text_of(response)
    assert "Alex Rivera logged this at Eastside Clinic" in html
    assert "Vitals and intake" in html
    for button in ["Approve", "Reject", "Needs info"]:
        assert f">{button}</button>" in html


def test_a_decision_through_the_link_is_recorded_as_the_supervisor_via_link(
    alex: Student, supervisor: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    log, path = emailed_link(alex, django_capture_on_commit_callbacks)

    response = client.post(path, {"decision": "needs_info", "reason": "Which room?"})

    assert response.status_code == 302
    assert response.url == path
    log.refresh_from_db()
    assert (log.status, log.decision_reason) == (LogStatus.NEEDS_INFO, "Which room?")
    decision = LogDecision.objects.get()
    assert (decision.decided_by, decision.via, decision.hour_log) == (supervisor, "link", log)
    html = text_of(client.get(path))
    assert "Decided: sent back for more information" in html
    assert "Your decision is recorded." in html


def test_a_second_decision_through_the_link_is_refused_and_nothing_changes(
    alex: Student, supervisor: User, client: Client
) -> None:
    log = shift(alex)
    path = f"/review/link/{review_link_token(log, supervisor)}/"
    assert client.post(path, {"decision": "approved"}).status_code == 302

    response = client.post(path, {"decision": "rejected", "reason": "Changed my mind"})

    assert response.status_code == 409
    assert "This log is already approved; it cannot change." in response.content.decode()
    log.refresh_from_db()
    assert (log.status, log.decision_reason) == (LogStatus.APPROVED, "")
    assert LogDecision.objects.count() == 1


def test_a_link_decision_needs_a_reason_to_reject(
    alex: Student, supervisor: User, client: Client
) -> None:
    log = shift(alex)

    response = client.post(
        f"/review/link/{review_link_token(log, supervisor)}/", {"decision": "rejected"}
    )

    assert response.status_code == 400
    assert error_of(response.content.decode(), "id_reason") == (
        "Say why, so the student can put it right."
    )
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_a_forged_link_is_refused(alex: Student, supervisor: User, client: Client) -> None:
    token = review_link_token(shift(alex), supervisor)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(f"/review/link/{forged}/")

    assert response.status_code == 403
    assert "This review link is not valid." in response.content.decode()


def test_a_link_cannot_be_pointed_at_another_log(
    alex: Student, supervisor: User, client: Client
) -> None:
    first, second = shift(alex, days_ago=1), shift(alex, days_ago=2)
    token = review_link_token(first, supervisor)
    _, timestamp, signature = token.rsplit(":", 2)
    payload = signing.b64_encode(
        signing.JSONSerializer().dumps({"kind": "hour", "log": second.pk, "by": supervisor.pk})
    ).decode()

    response = client.post(
        f"/review/link/{payload}:{timestamp}:{signature}/", {"decision": "approved"}
    )

    assert response.status_code == 403
    assert "This review link is not valid." in response.content.decode()
    assert set(HourLog.objects.values_list("status", flat=True)) == {"pending"}


def test_a_link_older_than_its_lifetime_has_expired(
    alex: Student, supervisor: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = shift(alex)
    token = review_link_token(log, supervisor)
    monkeypatch.setattr(review_links, "REVIEW_LINK_MAX_AGE", timedelta(seconds=-1))

    response = client.post(f"/review/link/{token}/", {"decision": "approved"})

    assert response.status_code == 403
    assert "This review link has expired; sign in to review the log." in (response.content.decode())
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_a_link_signed_fifteen_days_ago_has_expired(
    alex: Student, supervisor: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = shift(alex)
    fifteen_days_ago = signing.time.time() - 15 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: fifteen_days_ago)
        token = review_link_token(log, supervisor)

    response = client.get(f"/review/link/{token}/")

    assert response.status_code == 403
    assert "This review link has expired" in response.content.decode()


def test_a_link_of_a_supervisor_who_left_no_longer_works(
    alex: Student, supervisor: User, client: Client
) -> None:
    token = review_link_token(shift(alex), supervisor)
    supervisor.is_active = False
    supervisor.save()

    response = client.get(f"/review/link/{token}/")

    assert response.status_code == 403
    assert "This review link is no longer valid." in response.content.decode()


# -- /coach/ ------------------------------------------------------------------------------------


def test_the_coach_sees_their_caseload_with_what_each_student_is_missing(
    alex: Student, blake: Student, coach: User, supervisor: User
) -> None:
    log_decide(log=shift(alex), decision="approved", by=supervisor)

    html = text_of(signed_in(coach).get("/coach/"))

    assert f'<a href="/coach/students/{alex.pk}/">Alex Rivera</a>' in html
    # One bar per requirement, read out in words.
    assert 'aria-label="Externship hours: 8 of 160 hours; 152 hours to go"' in html
    assert (
        'aria-label="Successful venipunctures: 0 of 30 venipunctures; 30 venipunctures to go"'
        in html
    )
    assert "Blake" not in html


def test_a_student_who_met_every_requirement_shows_complete(
    alex: Student, coach: User, supervisor: User
) -> None:
    Requirement.objects.filter(kind="hours").update(params={"hours": 8})
    Requirement.objects.filter(kind="procedures").update(
        params={"procedure": "venipuncture", "count": 3}
    )
    log_decide(log=shift(alex), decision="approved", by=supervisor)
    log_decide(log=sticks(alex, count=3), decision="approved", by=supervisor)

    html = text_of(signed_in(coach).get("/coach/"))

    assert 'aria-label="Externship hours: 8 of 8 hours; done"' in html
    assert 'aria-label="Successful venipunctures: 3 of 3 venipunctures; done"' in html
    assert "to go" not in html


def test_the_caseload_page_reads_a_fixed_number_of_queries(
    alex: Student, blake: Student, coach: User, django_assert_num_queries
) -> None:
    Student.objects.update(coach=coach)
    client = signed_in(coach)
    # session, user, user's groups, the students (for the cohort filter and the rows), their risk
    # facts with the editions' required hours, approved hours and procedures (one query),
    # requirements, and the navigation's look for the user's student record
    with django_assert_num_queries(8):
        response = client.get("/coach/")
    assert response.content.decode().count("/coach/students/") == 2


def test_a_coach_sees_one_student_of_their_caseload_with_progress_and_logs(
    alex: Student, coach: User, supervisor: User
) -> None:
    log_decide(
        log=shift(alex), decision="rejected", reason="Not signed in at the desk", by=supervisor
    )

    response = signed_in(coach).get(f"/coach/students/{alex.pk}/")

    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>Alex Rivera</h1>" in html
    assert "Not signed in at the desk" in html
    assert '<progress id="progress-1-1" max="160" value="0.0">' in html
    assert 'action="/me/' not in html  # the coach reads; only the student answers


def test_a_coach_gets_404_for_a_student_outside_their_caseload(blake: Student, coach: User) -> None:
    assert signed_in(coach).get(f"/coach/students/{blake.pk}/").status_code == 404


def test_an_admin_sees_any_student(alex: Student, blake: Student, admin_user: User) -> None:
    client = signed_in(admin_user)

    assert client.get(f"/coach/students/{blake.pk}/").status_code == 200
    html = client.get("/coach/").content.decode()
    assert "Alex Rivera" in html
    assert "Blake Ng" in html


def test_students_and_supervisors_cannot_open_the_coach_pages(
    alex: Student, supervisor: User
) -> None:
    assert signed_in(alex.user).get("/coach/").status_code == 403
    assert signed_in(alex.user).get(f"/coach/students/{alex.pk}/").status_code == 403
    assert signed_in(supervisor).get("/coach/").status_code == 403
