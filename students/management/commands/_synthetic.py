"""`seed_demo --students N`: N synthetic students written with bulk inserts, fast enough for
10,000 (load tests, the outcomes_report benchmark).

They spread over twelve cohorts per program, one every two months over the past two years, and
each one's fate follows from their number alone (a seeded random generator), so that running the
command again adds only the students still missing and always the same ones. Proportions are
roughly a school's: about one in seven withdraws (a third of them come back later), a few are on
leave; most graduates sit the credential exam (three in four pass the first time, many of the
rest on a second attempt) and about three in four are placed in or near the field.

Every graduate completed an externship at their program's synthetic site whose approved logs
(with the supervisor's decisions) meet their edition of the requirements (see `_logbook.py`).
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role, User
from careers.models import (
    Classification,
    Employer,
    Employment,
    ExamAttempt,
    ExamResult,
    JobPlacement,
    Unavailability,
    UnavailableReason,
    Verification,
)
from enrollment.models import (
    Cohort,
    EnrollmentPeriod,
    LeaveOfAbsence,
    PeriodEnd,
    Program,
    Student,
    StudentStage,
    Track,
)
from externships.models import (
    Externship,
    ExternshipStatus,
    Requirement,
    RequirementSet,
    Site,
    SiteKind,
)
from students.management.commands._logbook import (
    LogBook,
    log_book,
    logged_days,
    write_approved_logs,
)

COHORTS_PER_PROGRAM = 12
EMAIL = "load.{}@example.com"
EMPLOYERS = [f"Synthetic Health Partners {n}" for n in range(1, 11)]
BATCH = 2000
SUPERVISOR = "synthetic.supervisor@example.com"
SITE_KINDS = {
    Track.MEDICAL_ASSISTANT: SiteKind.CLINIC,
    Track.PHARMACY_TECHNICIAN: SiteKind.PHARMACY,
    Track.PHLEBOTOMY: SiteKind.LAB,
    Track.SURGICAL_TECHNOLOGIST: SiteKind.SURGERY_CENTER,
}


def first_of_month(day: date, months_back: int) -> date:
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


@dataclass
class Fate:
    """What happens to synthetic student `n`, decided by their number alone."""

    periods: list[tuple[date, date | None, str, date | None]] = field(default_factory=list)
    stage: str = StudentStage.ENROLLED
    leave_on: date | None = None
    exams: list[tuple[date, str]] = field(default_factory=list)
    job: tuple[str, int, date] | None = None  # classification, hourly wage in cents, start
    unavailable: str = ""


def fate(n: int, cohort: Cohort, today: date) -> Fate:
    rng = random.Random(n)
    result = Fate()
    start = cohort.starts_on
    roll = rng.random()
    if roll < 0.15:
        course = (cohort.ends_on - cohort.starts_on).days
        left = min(today, start + timedelta(days=rng.randint(7, course)))
        result.periods.append((start, left, PeriodEnd.WITHDRAWN, None))
        back = left + timedelta(days=rng.randint(60, 200))
        if roll < 0.05 and back <= today:
            start = back
            result.periods.append((back, None, "", left))
        else:
            result.stage = StudentStage.WITHDRAWN
            return result
    else:
        result.periods.append((start, None, "", None))
    graduation = start + (cohort.ends_on - cohort.starts_on) + timedelta(days=rng.randint(0, 30))
    if graduation > today:
        if 0.15 <= roll < 0.18:
            result.stage = StudentStage.ON_LEAVE
            result.leave_on = min(today, start + timedelta(days=30))
        return result
    began, _, _, after = result.periods[-1]
    result.periods[-1] = (began, graduation, PeriodEnd.GRADUATED, after)
    result.stage = StudentStage.GRADUATED
    exam = rng.random()
    sat_on = graduation + timedelta(days=rng.randint(10, 40))
    if exam < 0.88:
        first = ExamResult.PASSED if rng.random() < 0.75 else ExamResult.FAILED
        result.exams.append((sat_on, first))
        if first == ExamResult.FAILED and rng.random() < 0.6:
            second = ExamResult.PASSED if rng.random() < 0.7 else ExamResult.FAILED
            result.exams.append((sat_on + timedelta(days=30), second))
    elif exam < 0.93:
        result.exams.append((sat_on, ExamResult.NO_SHOW))
    # An attempt still ahead is only booked, and nothing is booked after it.
    booked = [day > today for day, _ in result.exams]
    if True in booked:
        cut = booked.index(True)
        result.exams = [*result.exams[:cut], (result.exams[cut][0], ExamResult.SCHEDULED)]
    job = rng.random()
    starts = min(today, graduation + timedelta(days=rng.randint(7, 90)))
    wage = max(1300, round(rng.gauss(1950, 260)))
    if job < 0.05:
        result.unavailable = rng.choice(UnavailableReason.values)
    elif job < 0.63:
        result.job = (Classification.IN_FIELD, wage, starts)
    elif job < 0.73:
        result.job = (Classification.RELATED, wage - 150, starts)
    elif job < 0.80:
        result.job = (Classification.OUT_OF_FIELD, max(1100, wage - 450), starts)
    return result


def synthetic_cohorts(
    programs: list[Program], count: int, today: date, coach: User | None
) -> list[Cohort]:
    capacity = max(24, -(-count // (len(programs) * COHORTS_PER_PROGRAM)))
    cohorts = []
    for program in programs:
        for k in range(COHORTS_PER_PROGRAM):
            starts = first_of_month(today, 24 - 2 * k)
            cohort, _ = Cohort.objects.get_or_create(
                program=program,
                name=f"{starts:%B %Y} (synthetic)",
                defaults={
                    "starts_on": starts,
                    "ends_on": starts + timedelta(weeks=program.duration_weeks),
                    "capacity": capacity,
                    "enrollment_cutoff": starts,
                },
            )
            if cohort.capacity < capacity:
                Cohort.objects.filter(pk=cohort.pk).update(capacity=capacity)
            if coach is not None:
                cohort.coaches.add(coach)
            cohorts.append(cohort)
    return cohorts


def synthetic_sites(
    programs: list[Program], capacity: int, today: date
) -> tuple[dict[int, Site], User]:
    """A site per program, big enough for two cohorts on externship at once, and its supervisor
    (no login), so that the demo supervisor's sites keep their few demo students."""
    supervisor, _ = User.objects.get_or_create(
        email=SUPERVISOR,
        defaults={
            "first_name": "Synthetic",
            "last_name": "Supervisor",
            "password": f"{UNUSABLE_PASSWORD_PREFIX}synthetic",
        },
    )
    supervisor.groups.add(Group.objects.get_or_create(name=Role.SUPERVISOR)[0])
    sites = {}
    for program in programs:
        site, _ = Site.objects.get_or_create(
            name=f"Synthetic {program.name} Externships",
            defaults={
                "kind": SITE_KINDS.get(program.track, SiteKind.CLINIC),
                "address": "1 Synthetic Way, Springfield",
                "capacity": capacity,
                "agreement_valid_until": today + timedelta(days=365),
            },
        )
        if site.capacity < capacity:
            Site.objects.filter(pk=site.pk).update(capacity=capacity)
        site.programs.add(program)
        site.supervisors.add(supervisor)
        sites[program.pk] = site
    return sites, supervisor


def seed_clinical_logs(
    graduates: list[tuple[Student, Cohort, date]],
    books: dict[int | None, LogBook],
    sites: dict[int, Site],
    supervisor: User,
) -> None:
    """Each graduate's completed externship, ending on their graduation day, with their log book
    approved on the working days before it."""
    externships = Externship.objects.bulk_create(
        (
            Externship(
                student=student,
                site=sites[cohort.program_id],
                supervisor=supervisor,
                starts_on=logged_days(graduated, books[student.requirement_set_id])[0],
                ends_on=graduated,
                status=ExternshipStatus.COMPLETED,
            )
            for student, cohort, graduated in graduates
        ),
        batch_size=BATCH,
    )
    write_approved_logs(
        [
            (externship.pk, books[student.requirement_set_id], graduated)
            for externship, (student, _, graduated) in zip(externships, graduates, strict=True)
        ],
        by=supervisor,
    )


def seed_synthetic_students(programs: list[Program], count: int, today: date) -> int:
    """Add the missing ones of synthetic students 1..count; returns how many were added."""
    coach = User.objects.filter(email="coach@demo.pathway").first()
    with transaction.atomic():
        cohorts = synthetic_cohorts(programs, count, today, coach)
        existing = set(
            User.objects.filter(email__startswith="load.").values_list("email", flat=True)
        )
        wanted = [n for n in range(1, count + 1) if EMAIL.format(n) not in existing]
        if not wanted:
            return 0
        editions = dict(RequirementSet.objects.filter(is_current=True).values_list("program", "pk"))
        requirements = defaultdict(list)
        for requirement in Requirement.objects.filter(requirement_set__in=editions.values()):
            requirements[requirement.requirement_set_id].append(requirement)
        books = {set_id: log_book(rules) for set_id, rules in requirements.items()}
        sites, supervisor = synthetic_sites(programs, 2 * cohorts[0].capacity, today)
        employers = [Employer.objects.get_or_create(name=name)[0] for name in EMPLOYERS]
        group = Group.objects.get_or_create(name=Role.STUDENT)[0]
        users = User.objects.bulk_create(
            (
                User(
                    email=EMAIL.format(n),
                    first_name="Student",
                    last_name=f"{n:05d}",
                    password=f"{UNUSABLE_PASSWORD_PREFIX}synthetic",
                )
                for n in wanted
            ),
            batch_size=BATCH,
        )
        User.groups.through.objects.bulk_create(
            (User.groups.through(user_id=user.pk, group_id=group.pk) for user in users),
            batch_size=BATCH,
        )
        fates = []
        for n in wanted:
            cohort = cohorts[n % len(cohorts)]
            fates.append((cohort, fate(n, cohort, today)))
        students = Student.objects.bulk_create(
            (
                Student(
                    user=user,
                    cohort=cohort,
                    coach=coach,
                    requirement_set_id=editions.get(cohort.program_id),
                    stage=person.stage,
                )
                for user, (cohort, person) in zip(users, fates, strict=True)
            ),
            batch_size=BATCH,
        )
        periods, leaves, exams, jobs, unavailable, graduates = [], [], [], [], [], []
        for student, (cohort, person) in zip(students, fates, strict=True):
            if person.stage == StudentStage.GRADUATED:
                graduates.append((student, cohort, person.periods[-1][1]))
            for started, ended, reason, after in person.periods:
                periods.append(
                    EnrollmentPeriod(
                        student=student,
                        cohort=cohort,
                        started_on=started,
                        ended_on=ended,
                        end_reason=reason,
                        reentry_after=after,
                    )
                )
            if person.leave_on:
                leaves.append(
                    LeaveOfAbsence(student=student, starts_on=person.leave_on, reason="Family care")
                )
            for number, (day, result) in enumerate(person.exams, start=1):
                exams.append(
                    ExamAttempt(
                        student=student,
                        credential=cohort.program.credential,
                        attempt_number=number,
                        sat_on=day,
                        result=result,
                    )
                )
            if person.job:
                classification, wage, starts = person.job
                jobs.append(
                    JobPlacement(
                        student=student,
                        employer=employers[student.pk % len(employers)],
                        title="Synthetic job",
                        classification=classification,
                        employment=Employment.FULL_TIME,
                        hourly_wage_cents=wage,
                        start_date=starts,
                        verification_method=Verification.EMPLOYER,
                        evidence_note="Synthetic data.",
                    )
                )
            if person.unavailable:
                unavailable.append(
                    Unavailability(
                        student=student,
                        reason=person.unavailable,
                        documented_on=person.periods[-1][1] or today,
                        evidence_note="Synthetic data.",
                    )
                )
        for model, rows in [
            (EnrollmentPeriod, periods),
            (LeaveOfAbsence, leaves),
            (ExamAttempt, exams),
            (JobPlacement, jobs),
            (Unavailability, unavailable),
        ]:
            model.objects.bulk_create(rows, batch_size=BATCH)
        seed_clinical_logs(graduates, books, sites, supervisor)
    return len(wanted)
