"""coach_dashboard: a coach's caseload of 150 students with every risk flag, as /coach/ reads it.

`coaching.selectors.risk_flags` (what `caseload`, /coach/ and the students API call) over the
coach's students, against one raw SQL query that fetches the same facts per student (required and
approved hours, placement dates, last contact, exams, expiring documents) and a minimal loop that
turns them into the same flag codes; the two run in turn, so load falls on both alike, and each
is reported by its fastest run (timeit's advice: the slower runs measure the machine's other
work), with the ratio of medians beside it. Also
counts the selector's queries for 10 and for 150 students: they must be equal. Target: ratio <= 3.
"""

import os
import statistics
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from benchmarks import BenchmarkError, metric, paired_samples_ms, scratch_database
from careers.models import (
    Employer,
    ExamAttempt,
    ExamResult,
    JobApplication,
    JobApplicationStatus,
)
from coaching.models import CoachingSession, CoachNote, SessionStatus
from coaching.selectors import DEADLINE_HOURS, DOCUMENT_DAYS, NO_CONTACT_DAYS, risk_flags
from enrollment.models import Cohort, Program, Student, StudentStage, Track
from externships.models import (
    ComplianceDocument,
    Externship,
    HourLog,
    LogStatus,
    Requirement,
    RequirementKind,
    RequirementSet,
    Site,
)
from externships.selectors import visible_students

STUDENTS = 150
FEW = 10
RUNS = 40
HOURS = 160
# The hours the student's requirement edition asks for, summed from its JSON rules.
HOURS_SQL = {
    "sqlite": "SUM(json_extract(r.params, '$.hours'))",
    "postgresql": "SUM((r.params->>'hours')::float)",
}
RAW_SQL = """
SELECT s.id, s.stage, s.enrolled_at,
  (SELECT {hours} FROM externships_requirement r
   WHERE r.requirement_set_id = s.requirement_set_id AND r.kind = 'hours'),
  (SELECT e.starts_on FROM externships_externship e
   WHERE e.student_id = s.id AND e.status = 'active' ORDER BY e.starts_on DESC LIMIT 1),
  (SELECT e.ends_on FROM externships_externship e
   WHERE e.student_id = s.id AND e.status = 'active' ORDER BY e.starts_on DESC LIMIT 1),
  COALESCE((SELECT SUM(h.minutes) FROM externships_hourlog h
   JOIN externships_externship e ON e.id = h.externship_id
   WHERE e.student_id = s.id AND e.status = 'active' AND h.status = 'approved'
     AND h.id NOT IN (SELECT c.corrects_id FROM externships_hourlog c
                      WHERE c.status = 'approved' AND c.corrects_id IS NOT NULL)), 0),
  (SELECT MAX(c.starts_at) FROM coaching_coachingsession c
   WHERE c.student_id = s.id AND c.status = 'held') >= %(contact_since)s,
  (SELECT MAX(n.created_at) FROM coaching_coachnote n
   WHERE n.student_id = s.id) >= %(contact_since)s,
  s.enrolled_at >= %(contact_since)s,
  (SELECT MIN(x.sat_on) FROM careers_examattempt x
   WHERE x.student_id = s.id AND x.result = 'scheduled'),
  (SELECT MIN(j.respond_by) FROM careers_jobapplication j
   WHERE j.student_id = s.id AND j.status = 'offered'),
  EXISTS(SELECT 1 FROM careers_examattempt x WHERE x.student_id = s.id AND x.result = 'failed'),
  EXISTS(SELECT 1 FROM careers_examattempt x WHERE x.student_id = s.id AND x.result = 'passed'),
  EXISTS(SELECT 1 FROM externships_compliancedocument d
   WHERE d.student_id = s.id AND d.expires_on <= %(horizon)s AND NOT EXISTS (
     SELECT 1 FROM externships_compliancedocument r
     WHERE r.student_id = d.student_id AND r.kind = d.kind
       AND (r.expires_on IS NULL OR r.expires_on > %(horizon)s)))
FROM enrollment_student s
WHERE s.coach_id = %(coach)s
"""
ENROLLED = {StudentStage.ENROLLED, StudentStage.EXTERNSHIP, StudentStage.ON_LEAVE}


def _seed() -> User:
    now, today = timezone.now(), timezone.localdate()
    coach = User.objects.create_user("coach@bench.test", "x")
    coach.groups.add(Group.objects.get_or_create(name=Role.COACH)[0])
    supervisor = User.objects.create_user("supervisor@bench.test", "x")
    program = Program.objects.create(
        slug="medical-assistant",
        name="Medical Assistant",
        track=Track.MEDICAL_ASSISTANT,
        duration_weeks=16,
        delivery="online",
        credential="NHA CCMA",
    )
    edition = RequirementSet.objects.create(program=program, edition="bench", source="bench")
    Requirement.objects.create(
        requirement_set=edition, kind=RequirementKind.HOURS, label="Hours", params={"hours": HOURS}
    )
    cohort = Cohort.objects.create(
        program=program,
        name="bench",
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=30),
        capacity=STUDENTS,
    )
    site = Site.objects.create(
        name="Bench clinic",
        kind="clinic",
        address="1 Main St",
        capacity=STUDENTS,
        agreement_valid_until=today + timedelta(days=365),
    )
    users = User.objects.bulk_create(
        User(email=f"student{n}@bench.test", first_name="S", last_name=f"{n:04d}")
        for n in range(STUDENTS)
    )
    students = Student.objects.bulk_create(
        Student(
            user=user,
            cohort=cohort,
            coach=coach,
            requirement_set=edition,
            stage=StudentStage.EXTERNSHIP,
            enrolled_at=now - timedelta(days=60),
        )
        for user in users
    )
    externships = Externship.objects.bulk_create(
        Externship(
            student=s,
            site=site,
            supervisor=supervisor,
            starts_on=today - timedelta(days=40),
            ends_on=today + timedelta(days=40),
        )
        for s in students
    )
    hours, sessions, notes, attempts, documents, jobs = [], [], [], [], [], []
    employer = Employer.objects.create(name="Bench clinic")
    for n, (student, externship) in enumerate(zip(students, externships, strict=True)):
        # Some on pace (10 approved days of 8 h), some behind, a few logs still pending.
        for day in range(8 + n % 5):
            hours.append(
                HourLog(
                    externship=externship,
                    date=today - timedelta(days=day + 1),
                    start_time=clock(8),
                    end_time=clock(16),
                    minutes=480,
                    activities="clinic",
                    status=LogStatus.PENDING if day % 6 == 5 else LogStatus.APPROVED,
                )
            )
        ago = timedelta(days=3 + n % 20)
        sessions.append(
            CoachingSession(
                student=student,
                coach=coach,
                kind="check_in",
                starts_at=now - ago,
                status=SessionStatus.HELD,
                outcome="ok",
            )
        )
        if n % 3 == 0:
            notes.append(CoachNote(student=student, author=coach, body="call", created_at=now))
        if n % 4 == 0:
            attempts.append(
                ExamAttempt(
                    student=student,
                    credential="NHA CCMA",
                    attempt_number=1,
                    sat_on=today - timedelta(days=10),
                    result=ExamResult.FAILED,
                    scaled_score=350,
                )
            )
        if n % 8 == 0:
            attempts.append(
                ExamAttempt(
                    student=student,
                    credential="NHA CCMA",
                    attempt_number=2,
                    sat_on=today + timedelta(days=n % 6),
                )
            )
        documents.append(
            ComplianceDocument(
                student=student,
                kind="tb_test",
                received_on=today - timedelta(days=300),
                expires_on=today + timedelta(days=10 + n % 60),
            )
        )
        if n % 5 == 0:
            jobs.append(
                JobApplication(
                    student=student,
                    employer=employer,
                    role="Medical assistant",
                    status=JobApplicationStatus.OFFERED,
                    applied_on=today - timedelta(days=20),
                    status_changed_on=today - timedelta(days=2),
                    respond_by=today + timedelta(days=n % 7),
                )
            )
    HourLog.objects.bulk_create(hours)
    JobApplication.objects.bulk_create(jobs)
    CoachingSession.objects.bulk_create(sessions)
    CoachNote.objects.bulk_create(notes)
    ExamAttempt.objects.bulk_create(attempts)
    ComplianceDocument.objects.bulk_create(documents)
    return coach


def _ours(students: QuerySet[Student], now: datetime) -> dict[int, set[str]]:
    return {pk: {f.code for f in flags} for pk, flags in risk_flags(students, now).items()}


def _day(value: date | str | None) -> date | None:
    """SQLite's raw cursor gives dates as text; PostgreSQL as dates."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _raw(coach: User, now: datetime) -> dict[int, set[str]]:
    today = timezone.localdate(now)
    params = {
        "coach": coach.pk,
        "contact_since": now - timedelta(days=NO_CONTACT_DAYS),
        "horizon": today + timedelta(days=DOCUMENT_DAYS),
    }
    deadline_by = timezone.localdate(now + timedelta(hours=DEADLINE_HOURS))
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL.format(hours=HOURS_SQL[connection.vendor]), params)
        rows = cursor.fetchall()
    flags = {}
    for (
        sid,
        stage,
        _,
        hours,
        starts,
        ends,
        minutes,
        *contact,
        exam_on,
        offer,
        failed,
        passed,
        doc,
    ) in rows:
        starts, ends, exam_on, offer = _day(starts), _day(ends), _day(exam_on), _day(offer)
        codes = set()
        if starts and hours and stage == StudentStage.EXTERNSHIP and today > starts:
            span = max((ends - starts).days, 1)
            if minutes < hours * 60 * min((today - starts).days, span) / span:
                codes.add("behind_pace")
        if stage in ENROLLED and not any(contact):
            codes.add("no_contact")
        if (exam_on and exam_on <= deadline_by) or (offer and offer <= deadline_by):
            codes.add("deadline_soon")
        if failed and not passed and not exam_on:
            codes.add("failed_exam")
        if doc and stage in ENROLLED:
            codes.add("document_expiring")
        flags[sid] = codes
    return flags


def run() -> list[dict[str, object]]:
    load = os.getloadavg()[0]
    with scratch_database():
        coach = _seed()
        now = timezone.now()
        caseload = visible_students(coach)  # the queryset /coach/ lists, built once as there
        ours = _ours(caseload, now)
        if ours != _raw(coach, now):
            raise BenchmarkError("the selector and the raw SQL disagree on the flags")
        if not any(ours.values()):
            raise BenchmarkError("no student is flagged: the data does not exercise the flags")
        with CaptureQueriesContext(connection) as few:
            _ours(caseload.filter(pk__in=caseload.order_by("pk").values("pk")[:FEW]), now)
        with CaptureQueriesContext(connection) as many:
            _ours(caseload, now)
        selector, raw = paired_samples_ms(
            lambda: _ours(caseload, now), lambda: _raw(coach, now), RUNS
        )
        flagged = sum(1 for codes in ours.values() if codes)
        median_ratio = round(statistics.median(selector) / statistics.median(raw), 3)
        vendor = connection.vendor
    params = {
        "students": STUDENTS,
        "flagged": flagged,
        "runs": RUNS,
        "database": vendor,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    return [
        metric(
            "caseload_ms",
            round(min(selector), 2),
            "ms",
            baseline=round(min(raw), 2),
            params={**params, "statistic": "fastest of the runs", "median_ratio": median_ratio},
        ),
        metric(
            "queries_150_students",
            len(many),
            "queries",
            baseline=len(few),
            params={**params, "baseline": f"queries for {FEW} students"},
        ),
    ]
