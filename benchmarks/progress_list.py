"""progress_list: progress for 500 students, as the students list computes it.

`externships.selectors.progress_for` over a page of 500 students (loaded with user, cohort,
program, coach and edition, as `visible_students` loads them for the list, the caseload page and
the roster), against one raw SQL aggregate that computes the same figures (approved hours,
successful venipunctures and capillary sticks per student, with an approved correction replacing
the log it corrects, as the selector counts them; one student in ten has one). Half the students
are Medical Assistants (hours), half Phlebotomy (procedures). Target: ratio <= 3.

The two are timed in turn, RUNS times, so that a change in the machine's speed falls on both
alike; the value is the median run, the ratio of the fastest runs is printed beside it. Loading
the 500 students themselves is the list's cost, not progress's, and the raw aggregate does not
load them: it is printed as `load_students_ms`, without a baseline. Also counts the queries of
loading and progress for 5 and for 500 students: they must be equal. The tables are ANALYZEd
after seeding, as a live database's are: freshly bulk-loaded PostgreSQL tables have no
statistics and both queries get planned as if they were empty.
"""

import os
import statistics
from datetime import date, timedelta
from datetime import time as clock

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from benchmarks import BenchmarkError, metric, paired_samples_ms, samples_ms, scratch_database
from enrollment.models import Cohort, Program, Student, Track
from externships.models import (
    Externship,
    HourLog,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
    Requirement,
    RequirementKind,
    RequirementSet,
    Site,
)
from externships.selectors import progress_for, visible_students

STUDENTS = 500
RUNS = 40
RAW_SQL = """
SELECT s.id, COALESCE(h.minutes, 0), COALESCE(p.venipunctures, 0), COALESCE(p.sticks, 0)
FROM enrollment_student s
LEFT JOIN (
  SELECT e.student_id, SUM(h.minutes) AS minutes
  FROM externships_hourlog h JOIN externships_externship e ON e.id = h.externship_id
  WHERE h.status = 'approved' AND NOT EXISTS (
    SELECT 1 FROM externships_hourlog c WHERE c.corrects_id = h.id AND c.status = 'approved'
  )
  GROUP BY e.student_id
) h ON h.student_id = s.id
LEFT JOIN (
  SELECT e.student_id,
    SUM(CASE WHEN p.kind = 'venipuncture' THEN p.count ELSE 0 END) AS venipunctures,
    SUM(CASE WHEN p.kind = 'capillary_stick' THEN p.count ELSE 0 END) AS sticks
  FROM externships_procedurelog p JOIN externships_externship e ON e.id = p.externship_id
  WHERE p.status = 'approved' AND p.successful AND NOT EXISTS (
    SELECT 1 FROM externships_procedurelog c WHERE c.corrects_id = p.id AND c.status = 'approved'
  )
  GROUP BY e.student_id
) p ON p.student_id = s.id
"""


def _seed() -> User:
    today = timezone.localdate()
    admin = User.objects.create_user("admin@bench.test", "x")
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMIN)[0])
    supervisor = User.objects.create_user("supervisor@bench.test", "x")
    cohorts, sets = [], []
    for track, rule in [
        (Track.MEDICAL_ASSISTANT, (RequirementKind.HOURS, {"hours": 160})),
        (
            Track.PHLEBOTOMY,
            (RequirementKind.PROCEDURES, {"procedure": "venipuncture", "count": 30}),
        ),
    ]:
        program = Program.objects.create(
            slug=track.value,
            name=track.label,
            track=track,
            duration_weeks=8,
            delivery="online",
            credential="NHA",
        )
        requirement_set = RequirementSet.objects.create(
            program=program, edition="bench", source="bench"
        )
        Requirement.objects.create(
            requirement_set=requirement_set, kind=rule[0], label="main", params=rule[1]
        )
        if track == Track.PHLEBOTOMY:
            Requirement.objects.create(
                requirement_set=requirement_set,
                kind=RequirementKind.PROCEDURES,
                label="sticks",
                params={"procedure": "capillary_stick", "count": 10},
            )
        cohorts.append(
            Cohort.objects.create(
                program=program,
                name="bench",
                starts_on=today - timedelta(days=60),
                ends_on=today + timedelta(days=60),
                capacity=STUDENTS,
            )
        )
        sets.append(requirement_set)
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
        Student(user=user, cohort=cohorts[n % 2], requirement_set=sets[n % 2])
        for n, user in enumerate(users)
    )
    externships = Externship.objects.bulk_create(
        Externship(
            student=s,
            site=site,
            supervisor=supervisor,
            starts_on=today - timedelta(days=50),
            ends_on=today + timedelta(days=50),
        )
        for s in students
    )
    hours, procedures = [], []
    for n, externship in enumerate(externships):
        for day in range(20):
            status = LogStatus.APPROVED if day % 4 else LogStatus.PENDING
            if n % 2 == 0:
                hours.append(
                    HourLog(
                        externship=externship,
                        date=date.today() - timedelta(days=day),
                        start_time=clock(8),
                        end_time=clock(16),
                        minutes=450,
                        activities="clinic",
                        status=status,
                    )
                )
            else:
                kind = ProcedureKind.VENIPUNCTURE if day % 3 else ProcedureKind.CAPILLARY_STICK
                procedures.append(
                    ProcedureLog(
                        externship=externship,
                        date=date.today() - timedelta(days=day),
                        kind=kind,
                        count=2,
                        successful=day % 5 != 0,
                        status=status,
                    )
                )
    hours = HourLog.objects.bulk_create(hours)
    procedures = ProcedureLog.objects.bulk_create(procedures)
    # Every tenth student's newest approved log is replaced by an approved correction.
    HourLog.objects.bulk_create(
        HourLog(
            externship=log.externship,
            date=log.date,
            start_time=clock(8),
            end_time=clock(12),
            minutes=240,
            activities="clinic, morning only",
            status=LogStatus.APPROVED,
            corrects=log,
        )
        for log in hours[1::200]
    )
    ProcedureLog.objects.bulk_create(
        ProcedureLog(
            externship=log.externship,
            date=log.date,
            kind=log.kind,
            count=1,
            successful=log.successful,
            status=LogStatus.APPROVED,
            corrects=log,
        )
        for log in procedures[1::200]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return admin


def _ours(admin: User, limit: int | None = None) -> dict:
    students = visible_students(admin).order_by("id")
    if limit:
        students = students.filter(pk__in=students.values("pk")[:limit])
    return _figures(progress_for(students))


def _figures(progress: dict) -> dict:
    return {
        sid: [(line.done, line.required) for r in p.requirements for line in r.lines]
        for sid, p in progress.items()
    }


def _raw() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL)
        rows = cursor.fetchall()
    figures = {}
    for sid, minutes, venipunctures, sticks in rows:
        # The same figures: Medical Assistant students have hours, Phlebotomy ones procedures.
        figures[sid] = (
            [(round(minutes / 60, 1), 160)] if minutes else [(venipunctures, 30), (sticks, 10)]
        )
    return figures


def run() -> list[dict[str, object]]:
    load = os.getloadavg()[0]
    with scratch_database():
        admin = _seed()
        if _ours(admin) != _raw():
            raise BenchmarkError("the selector and the raw SQL disagree on the figures")
        with CaptureQueriesContext(connection) as few:
            _ours(admin, limit=5)
        with CaptureQueriesContext(connection) as many:
            _ours(admin)
        page = list(visible_students(admin).order_by("id"))
        ours, raw = paired_samples_ms(lambda: _figures(progress_for(page)), _raw, RUNS)
        loading = samples_ms(lambda: list(visible_students(admin).order_by("id")), RUNS)
        vendor = connection.vendor
    params = {
        "students": STUDENTS,
        "runs": RUNS,
        "database": vendor,
        "cpus": os.cpu_count(),
        "load_1m_before": round(load, 2),
    }
    return [
        metric(
            "progress_loaded_ms",
            round(statistics.median(ours), 2),
            "ms",
            baseline=round(statistics.median(raw), 2),
            params={
                **params,
                "statistic": "median of the runs",
                "fastest_ratio": round(min(ours) / min(raw), 3),
            },
        ),
        metric(
            "load_students_ms",
            round(statistics.median(loading), 2),
            "ms",
            params={**params, "statistic": "median of the runs"},
        ),
        metric(
            "queries_500_students",
            len(many),
            "queries",
            baseline=len(few),
            params={**params, "baseline": "queries for 5 students"},
        ),
    ]
