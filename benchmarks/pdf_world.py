"""A cohort of graduates and students for the PDF benchmarks (roster_pdf, certificates_batch),
bulk-inserted on the scratch database."""

from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role, User
from careers.models import Employer, ExamAttempt, JobPlacement
from documents.models import Certificate
from documents.services import qr_data_uri, verification_url
from enrollment.models import Cohort, EnrollmentPeriod, Program, Student, Track
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


def seed_cohort(students: int, *, graduated: bool) -> Cohort:
    """One Phlebotomy cohort of `students` with hours and procedures logged (40 hours, 30
    venipunctures and 10 sticks required); a third sat the exam and a fifth took a job. With
    `graduated`, every student graduated and holds a certificate."""
    today = timezone.localdate()
    program = Program.objects.create(
        slug="phlebotomy",
        name="Phlebotomy",
        track=Track.PHLEBOTOMY,
        duration_weeks=4,
        delivery="online",
        credential="NHA CPT",
    )
    edition = RequirementSet.objects.create(program=program, edition="bench", source="bench")
    for position, (kind, label, params) in enumerate(
        [
            (RequirementKind.HOURS, "Externship hours", {"hours": 40}),
            (
                RequirementKind.PROCEDURES,
                "Successful venipunctures",
                {"procedure": "venipuncture", "count": 30, "noun": "venipunctures"},
            ),
            (
                RequirementKind.PROCEDURES,
                "Capillary sticks",
                {"procedure": "capillary_stick", "count": 10, "noun": "sticks"},
            ),
        ]
    ):
        Requirement.objects.create(
            requirement_set=edition, kind=kind, label=label, params=params, position=position
        )
    cohort = Cohort.objects.create(
        program=program,
        name="Benchmark cohort",
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=30),
        capacity=students,
    )
    coaches = User.objects.bulk_create(
        User(email=f"coach{n}@bench.test", first_name="Coach", last_name=f"Number{n}")
        for n in range(5)
    )
    Group.objects.get_or_create(name=Role.COACH)[0].user_set.add(*coaches)
    supervisor = User.objects.create_user("supervisor@bench.test", "x")
    site = Site.objects.create(
        name="Bench lab",
        kind="lab",
        address="1 Main St",
        capacity=students,
        agreement_valid_until=today + timedelta(days=365),
    )
    employer = Employer.objects.create(name="Springfield Regional Laboratory")
    users = User.objects.bulk_create(
        User(
            email=f"student{n:04d}@bench.test",
            first_name=["Avery", "Blair", "Casey", "Devon", "Emery"][n % 5],
            last_name=f"Studentname{n:04d}",
        )
        for n in range(students)
    )
    stage = "graduated" if graduated else "externship"
    rows = Student.objects.bulk_create(
        Student(
            user=user,
            cohort=cohort,
            requirement_set=edition,
            coach=coaches[n % len(coaches)],
            stage=stage if graduated or n % 4 else "graduated",
        )
        for n, user in enumerate(users)
    )
    externships = Externship.objects.bulk_create(
        Externship(
            student=s,
            site=site,
            supervisor=supervisor,
            starts_on=today - timedelta(days=60),
            ends_on=today - timedelta(days=31),
            status="completed",
        )
        for s in rows
    )
    hours, procedures = [], []
    for externship in externships:
        for day in range(5):
            hours.append(
                HourLog(
                    externship=externship,
                    date=today - timedelta(days=40 + day),
                    start_time="08:00",
                    end_time="16:30",
                    break_minutes=30,
                    minutes=480,
                    activities="Draws",
                    status=LogStatus.APPROVED,
                )
            )
        for kind, count in ((ProcedureKind.VENIPUNCTURE, 30), (ProcedureKind.CAPILLARY_STICK, 10)):
            procedures.append(
                ProcedureLog(
                    externship=externship,
                    date=today - timedelta(days=41),
                    kind=kind,
                    count=count,
                    successful=True,
                    status=LogStatus.APPROVED,
                )
            )
    HourLog.objects.bulk_create(hours)
    ProcedureLog.objects.bulk_create(procedures)
    ExamAttempt.objects.bulk_create(
        ExamAttempt(
            student=s,
            credential="NHA CPT",
            attempt_number=1,
            sat_on=today - timedelta(days=20),
            result="passed" if n % 2 else "failed",
            scaled_score=410 if n % 2 else 350,
        )
        for n, s in enumerate(rows)
        if n % 3 == 0
    )
    JobPlacement.objects.bulk_create(
        JobPlacement(
            student=s,
            employer=employer,
            title="Phlebotomist",
            classification="in_field",
            employment="full_time",
            hourly_wage_cents=2100,
            start_date=today - timedelta(days=10),
            verification_method="employer",
            evidence_note="HR confirmed",
        )
        for n, s in enumerate(rows)
        if n % 5 == 0
    )
    graduates = [s for s in rows if s.stage == "graduated"]
    EnrollmentPeriod.objects.bulk_create(
        EnrollmentPeriod(
            student=s,
            cohort=cohort,
            started_on=cohort.starts_on,
            ended_on=today - timedelta(days=30),
            end_reason="graduated",
        )
        for s in graduates
    )
    if graduated:
        certificates = [
            Certificate(student=s, completed_on=date.today() - timedelta(days=30))
            for s in graduates
        ]
        for certificate in certificates:  # as certificate_issue() does
            certificate.qr_url = verification_url(certificate.code)
            certificate.qr = qr_data_uri(certificate.qr_url)
        Certificate.objects.bulk_create(certificates)
    return cohort
