"""Demo data: the four programs, their cohorts and applicants, and the four demo logins.

Idempotent: every object is found by its natural key before it is created, and applications go
through `application_submit`, which hands back an existing application instead of a second one.
"""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from enrollment.models import Cohort, Education, Program, Status, Track
from enrollment.services import Actor, application_accept, application_submit

DEMO_PASSWORD = "demo-pass-2026"
SEED = Actor(label="seed_demo")
DEMO_LOGINS = {
    "admin@demo.pathway": (Role.ADMIN, "Avery", "Admin"),
    "coach@demo.pathway": (Role.COACH, "Casey", "Coach"),
    "student@demo.pathway": (Role.STUDENT, "Sam", "Student"),
    "supervisor@demo.pathway": (Role.SUPERVISOR, "Sydney", "Supervisor"),
}

PROGRAMS = [
    {
        "slug": "medical-assistant",
        "name": "Medical Assistant",
        "track": Track.MEDICAL_ASSISTANT,
        "duration_weeks": 17,
        "delivery": "100% online, then in-person clinical hours",
        "credential": "NHA CCMA",
        "clinical_requirement": "160 externship hours in an outpatient setting (CAAHEP III.C.3) "
        "and a competency checklist.",
    },
    {
        "slug": "pharmacy-technician",
        "name": "Pharmacy Technician",
        "track": Track.PHARMACY_TECHNICIAN,
        "duration_weeks": 17,
        "delivery": "100% online, then in-person externship",
        "credential": "NHA ExCPT (CPhT)",
        "clinical_requirement": "120 externship hours.",
    },
    {
        "slug": "phlebotomy",
        "name": "Phlebotomy",
        "track": Track.PHLEBOTOMY,
        "duration_weeks": 4,
        "delivery": "100% online, evening classes",
        "credential": "NHA CPT",
        "clinical_requirement": "30 successful venipunctures and 10 capillary or finger sticks "
        "on live people.",
    },
    {
        "slug": "surgical-technologist",
        "name": "Surgical Technologist",
        "track": Track.SURGICAL_TECHNOLOGIST,
        "duration_weeks": 17,
        "delivery": "Online course, then clinical cases; prior hospital work experience encouraged",
        "credential": "NCCT TS-C",
        "clinical_requirement": "120 surgical cases, at least 80 as first scrub, across general "
        "surgery and at least 4 other specialties (Core Curriculum 6th ed.).",
    },
]

# program slug: (capacity, applicants, of whom accepted)
COHORTS = {
    "medical-assistant": (24, 9, 6),
    "pharmacy-technician": (20, 5, 3),
    "phlebotomy": (16, 14, 10),
    "surgical-technologist": (12, 17, 10),
}

FIRST = [
    "Alex",
    "Blair",
    "Cameron",
    "Devon",
    "Emerson",
    "Finley",
    "Gray",
    "Harper",
    "Indy",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
]
LAST = ["Nguyen", "Garcia", "Smith", "Johnson", "Patel", "Brown", "Lee", "Martinez", "Davis"]


def first_of_next_month(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


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
        for slug, program in programs.items():
            self.seed_cohort(program, *COHORTS[slug])
        Program.objects.filter(slug="surgical-technologist").update(waitlist_only=True)
        if students:
            self.seed_students(programs["medical-assistant"], students)
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
        return program

    def seed_cohort(
        self, program: Program, capacity: int, applicants: int, accepted: int
    ) -> Cohort:
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
            application, created = application_submit(
                cohort=cohort,
                first_name=FIRST[n % len(FIRST)],
                last_name=LAST[n % len(LAST)],
                email=f"{program.slug}.{n + 1}@example.com",
                phone=f"+1202555{program.pk:02d}{n:02d}",
                date_of_birth=date(1995, 1 + n % 12, 1 + n % 28),
                education=Education.HS_DIPLOMA,
                consent={"email": True, "sms": n % 2 == 0, "phone": False},
            )
            if created and n < accepted and application.status == Status.OFFERED:
                application_accept(application=application, actor=SEED)
        return cohort

    def seed_students(self, program: Program, count: int) -> None:
        starts = first_of_next_month(timezone.localdate(), 3)
        cohort, _ = Cohort.objects.get_or_create(
            program=program,
            name=f"{starts:%B %Y} (load)",
            defaults={
                "starts_on": starts,
                "ends_on": starts + timedelta(weeks=17),
                "capacity": count,
            },
        )
        if cohort.capacity < count:
            cohort.capacity = count
            cohort.save(update_fields=["capacity"])
        for n in range(count):
            application, created = application_submit(
                cohort=cohort,
                first_name="Student",
                last_name=f"{n + 1:05d}",
                email=f"load.{n + 1}@example.com",
                phone=f"+1202556{n:04d}",
                date_of_birth=date(1990, 1, 1),
                education=Education.GED,
                consent={},
            )
            if created and application.status == Status.OFFERED:
                application_accept(application=application, actor=SEED)
