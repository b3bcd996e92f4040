"""Demo data: the four programs with their default clinical requirements, their cohorts and
applicants, externship sites, students at every stage with their compliance documents, externships
and clinical logs, a graduating class for the outcome reports (see `_outcomes.py`), the demo coach's
free times (`_free_times.py`), and the four demo logins. `--students N` adds N synthetic students
in bulk (see `_synthetic.py`).

Idempotent: every object is found by its natural key before it is created (an application by
its cohort and email, before `application_submit`), and an externship's logs are written only
while it has none.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from careers.defaults import install_reference_pay
from enrollment.applying import application_submit
from enrollment.models import (
    Cohort,
    Education,
    EnrollmentPeriod,
    Program,
    Status,
    Student,
    StudentStage,
)
from enrollment.services import Actor, application_accept
from externships.defaults import install_default_requirements
from externships.models import (
    ComplianceDocument,
    DocumentKind,
    Externship,
    ExternshipStatus,
    HourLog,
    LogStatus,
    ProcedureLog,
    Site,
)
from externships.services import (
    externship_create,
    hour_log_create,
    log_decide,
    logs_bulk_approve,
    procedure_log_create,
)
from students.management.commands._demo_world import (
    COHORTS,
    FIRST,
    HISTORY,
    LAST,
    PAGE_DETAILS,
    PROGRAMS,
    SITES,
    DemoStudent,
    Placement,
    first_of_next_month,
)
from students.management.commands._free_times import seed_free_times
from students.management.commands._logbook import (
    SHIFT,
    log_book,
    logged_days,
    write_approved_logs,
)
from students.management.commands._outcomes import seed_outcome_class
from students.management.commands._synthetic import seed_synthetic_students
from students.services import student_graduate

DEMO_PASSWORD = "demo-pass-2026"
SEED = Actor(label="seed_demo")
DEMO_LOGINS = {
    "admin@demo.pathway": (Role.ADMIN, "Avery", "Admin"),
    "coach@demo.pathway": (Role.COACH, "Casey", "Coach"),
    "student@demo.pathway": (Role.STUDENT, "Sam", "Student"),
    "supervisor@demo.pathway": (Role.SUPERVISOR, "Sydney", "Supervisor"),
}


class Command(BaseCommand):
    help = (
        "Load the demo programs, cohorts, applicants and logins (idempotent; refused with DEBUG=0)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--students", type=int, default=0, help="also add N synthetic enrolled students"
        )

    def handle(self, *args: object, students: int, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG=0: demo passwords never reach production."
            )
        if students < 0:
            raise CommandError("--students must be 0 or more.")
        with transaction.atomic():
            self.seed_logins()
            programs = {spec["slug"]: self.seed_program(spec) for spec in PROGRAMS}
            for program in programs.values():
                self.seed_requirements(program)
            sites = self.seed_sites(programs)
        first = 0  # applicants are numbered across the programs: each is one person
        for slug, program in programs.items():
            self.seed_cohort(program, *COHORTS[slug], first=first)
            first += COHORTS[slug][1]
        for slug, (months, people) in HISTORY.items():
            self.seed_history(programs[slug], months, people, sites)
        install_reference_pay()
        seed_free_times(User.objects.get(email="coach@demo.pathway"), timezone.localdate())
        seed_outcome_class(
            programs["medical-assistant"], self.seed_history_student, self.seed_graduate
        )
        Program.objects.filter(slug="surgical-technologist").update(waitlist_only=True)
        if students:
            added = seed_synthetic_students(list(programs.values()), students, timezone.localdate())
            self.stdout.write(f"Synthetic students: {added} added, {students} in all.")
        self.stdout.write("Demo logins (password demo-pass-2026):")
        for email, (role, _, _) in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:<10} {email}")

    def seed_logins(self) -> None:
        for email, (role, first, last) in DEMO_LOGINS.items():
            user, created = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role == Role.ADMIN
                user.save()
            user.groups.add(Group.objects.get_or_create(name=role)[0])

    def seed_program(self, spec: dict) -> Program:
        program, _ = Program.objects.get_or_create(slug=spec["slug"], defaults=spec)
        # Fill only what is blank: an admin's edits stay, and a second run changes nothing.
        blank = {name: spec[name] for name in PAGE_DETAILS if getattr(program, name) in ("", None)}
        if blank:
            Program.objects.filter(pk=program.pk).update(**blank)
            program.refresh_from_db()
        return program

    def seed_requirements(self, program: Program) -> None:
        """The program's default requirement set; students enrolled before it existed get it."""
        requirement_set = install_default_requirements(program)
        Student.objects.filter(cohort__program=program, requirement_set__isnull=True).update(
            requirement_set=requirement_set
        )

    def seed_sites(self, programs: dict[str, Program]) -> dict[str, Site]:
        supervisor = User.objects.get(email="supervisor@demo.pathway")
        sites = {}
        for spec in SITES:
            site, _ = Site.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "kind": spec["kind"],
                    "address": spec["address"],
                    "capacity": spec["capacity"],
                    "agreement_valid_until": timezone.localdate() + timedelta(days=365),
                },
            )
            site.programs.add(*(programs[slug] for slug in spec["programs"]))
            site.supervisors.add(supervisor)
            sites[site.name] = site
        return sites

    def seed_cohort(
        self, program: Program, capacity: int, applicants: int, accepted: int, first: int
    ) -> Cohort:
        """The upcoming cohort and its applicants, numbered from `first`: each applicant is a
        different person (name and date of birth), applying to this program alone."""
        starts = first_of_next_month(timezone.localdate(), 2)
        cohort, _ = Cohort.objects.get_or_create(
            program=program,
            name=f"{starts:%B %Y}",
            defaults={
                "starts_on": starts,
                "ends_on": starts + timedelta(weeks=program.duration_weeks),
                "capacity": capacity,
            },
        )
        coach = User.objects.get(email="coach@demo.pathway")
        cohort.coaches.add(coach)
        for n in range(applicants):
            k = first + n
            email = f"{program.slug}.{n + 1}@example.com"
            if cohort.applications.filter(email=email).exists():
                continue  # seeded before (applying again would email its status link)
            application, _ = application_submit(
                cohort=cohort,
                first_name=FIRST[k % len(FIRST)],
                # Shifted by one each round of first names: no two applicants share a name.
                last_name=LAST[(k + k // len(FIRST)) % len(LAST)],
                email=email,
                phone=f"+1202555{program.pk:02d}{n:02d}",
                date_of_birth=date(1995, 1 + k % 12, 1 + k % 28),
                education=Education.HS_DIPLOMA,
                consent={"email": True, "updates_sms": n % 2 == 0},
            )
            if n < accepted and application.status == Status.OFFERED:
                application_accept(application=application, actor=SEED)
        return cohort

    # -- earlier cohorts: students on externship and done -------------------------------------

    def seed_history(
        self, program: Program, months: int, people: list[DemoStudent], sites: dict[str, Site]
    ) -> None:
        today = timezone.localdate()
        starts = first_of_next_month(today, months)
        cohort, _ = Cohort.objects.get_or_create(
            program=program,
            name=f"{starts:%B %Y}",
            defaults={
                "starts_on": starts,
                "ends_on": starts + timedelta(weeks=program.duration_weeks),
                "capacity": 12,
            },
        )
        coach = User.objects.get(email="coach@demo.pathway")
        cohort.coaches.add(coach)
        supervisor = User.objects.get(email="supervisor@demo.pathway")
        for n, person in enumerate(people):
            student = self.seed_history_student(cohort, n, person)
            if person.documents:
                self.seed_documents(student, person, today)
            if person.placement is not None:
                self.seed_externship(student, person, sites, supervisor, today)

    @contextmanager
    def open_for_seed(self, cohort: Cohort) -> Iterator[None]:
        """An earlier cohort took its students before it started, and before a program went
        waitlist-only: reopen it for the length of the seeding, then close it again."""
        waitlist_only = Program.objects.get(pk=cohort.program_id).waitlist_only
        Program.objects.filter(pk=cohort.program_id).update(waitlist_only=False)
        Cohort.objects.filter(pk=cohort.pk).update(
            enrollment_cutoff=timezone.localdate() + timedelta(days=1)
        )
        try:
            yield
        finally:
            Cohort.objects.filter(pk=cohort.pk).update(enrollment_cutoff=cohort.starts_on)
            Program.objects.filter(pk=cohort.program_id).update(waitlist_only=waitlist_only)

    def seed_history_student(self, cohort: Cohort, n: int, person: DemoStudent) -> Student:
        student = Student.objects.filter(user__email=person.email).first()
        if student is not None:
            return student
        with self.open_for_seed(cohort):
            application, _ = application_submit(
                cohort=cohort,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                phone=f"+1202558{cohort.program_id:02d}{n:02d}",
                date_of_birth=date(1996, 3 + n, 14),
                education=Education.HS_DIPLOMA,
                consent={"email": True, "sms": False, "phone": False},
            )
            if application.status == Status.OFFERED:
                application_accept(application=application, actor=SEED)
        student = Student.objects.get(user__email=person.email)
        # Enrolled today by the services; in the story they started with their class.
        EnrollmentPeriod.objects.filter(student=student).update(started_on=cohort.starts_on)
        return student

    def seed_documents(self, student: Student, person: DemoStudent, today: date) -> None:
        if student.documents.exists():
            return
        placement = person.placement
        received = today + timedelta(days=(placement.starts if placement else 0) - 30)
        admin = User.objects.get(email="admin@demo.pathway")
        lasting = {
            DocumentKind.IMMUNIZATIONS: None,
            DocumentKind.TB_TEST: 365,
            DocumentKind.BACKGROUND_CHECK: None,
            DocumentKind.DRUG_SCREEN: 365,
            DocumentKind.CPR_BLS: 730,
            DocumentKind.FERPA_RELEASE: None,
        }
        ComplianceDocument.objects.bulk_create(
            ComplianceDocument(
                student=student,
                kind=kind,
                received_on=received,
                expires_on=(
                    today + timedelta(days=20)
                    if kind == person.expiring
                    else (received + timedelta(days=days) if days else None)
                ),
                verified_by=admin,
            )
            for kind, days in lasting.items()
        )

    def seed_externship(
        self,
        student: Student,
        person: DemoStudent,
        sites: dict[str, Site],
        supervisor: User,
        today: date,
    ) -> None:
        placement = person.placement
        site = sites[placement.site]
        externship = Externship.objects.filter(student=student, site=site).first()
        if externship is None:
            externship = externship_create(
                student=student,
                site=site,
                supervisor=supervisor,
                starts_on=today + timedelta(days=placement.starts),
                ends_on=today + timedelta(days=placement.ends),
            )
        has_logs = externship.hourlogs.exists() or externship.procedurelogs.exists()
        if not has_logs and externship.status == ExternshipStatus.ACTIVE:
            self.seed_logs(externship, student, person, supervisor, today)
        if placement.completed and student.stage != StudentStage.GRADUATED:
            # Graduates on the day the placement ended, which completes it; the service refuses
            # while the approved logs fall short of the requirements.
            student_graduate(student=student, on=externship.ends_on, actor=None)

    def seed_graduate(self, student: Student, site_name: str, on: date) -> None:
        """A graduate of an earlier class: placed at the site for the working days before `on`,
        with a log book that meets their edition of the requirements (written in bulk, already
        approved), then graduated on `on` by the service that checks it."""
        today = timezone.localdate()
        book = log_book(student.requirement_set.requirements.all())
        days = logged_days(on, book)
        person = DemoStudent(
            student.user.email,
            student.user.first_name,
            student.user.last_name,
            Placement(site_name, starts=(days[0] - today).days, ends=(on - today).days),
        )
        supervisor = User.objects.get(email="supervisor@demo.pathway")
        with transaction.atomic():
            self.seed_documents(student, person, today)
            externship = externship_create(
                student=student,
                site=Site.objects.get(name=site_name),
                supervisor=supervisor,
                starts_on=days[0],
                ends_on=on,
            )
            write_approved_logs([(externship.pk, book, on)], by=supervisor)
            student_graduate(student=student, on=on, actor=None)

    def seed_logs(
        self,
        externship: Externship,
        student: Student,
        person: DemoStudent,
        supervisor: User,
        today: date,
    ) -> None:
        """Logs go through the services, as a student would write them and a supervisor decide
        them; the newest stay pending for the demo supervisor."""
        last = min(externship.ends_on, today - timedelta(days=1))
        if person.shifts:
            days = [
                externship.starts_on + timedelta(days=n)
                for n in range((last - externship.starts_on).days + 1)
            ]
            weekdays = [day for day in days if day.weekday() < 5]
            start, end, pause = SHIFT
            shifts = [
                hour_log_create(
                    student=student,
                    externship=externship,
                    date=day,
                    start_time=start,
                    end_time=end,
                    break_minutes=pause,
                    activities="Rooming patients, vital signs, charting in the EHR.",
                )
                for day in weekdays
            ]
            # Oldest first: approved, then sent back for more information, then pending.
            approved = max(0, len(shifts) - person.pending - person.needs_info)
            for log in shifts[approved : approved + person.needs_info]:
                log_decide(
                    log=log,
                    decision=LogStatus.NEEDS_INFO,
                    reason="Please add which department you worked in that day.",
                    by=supervisor,
                )
            if approved:
                logs_bulk_approve(
                    model=HourLog, ids=[log.pk for log in shifts[:approved]], by=supervisor
                )
        approved_procedures: list[ProcedureLog] = []
        for n, (kind, count, successful, specialty, role, name, approved) in enumerate(
            person.procedures
        ):
            log = procedure_log_create(
                student=student,
                externship=externship,
                date=min(externship.starts_on + timedelta(days=n), last),
                kind=kind,
                count=count,
                successful=successful,
                specialty=specialty,
                role=role,
                competency=name,
            )
            if approved:
                approved_procedures.append(log)
        if approved_procedures:
            logs_bulk_approve(
                model=ProcedureLog, ids=[log.pk for log in approved_procedures], by=supervisor
            )
