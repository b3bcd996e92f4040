from datetime import date, time, timedelta

import factory
from django.utils import timezone

from accounts.models import User
from enrollment.models import Cohort, Education, Program, Track


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@school.test")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password("correct-horse-battery")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    slug = "phlebotomy"
    name = "Phlebotomy"
    track = Track.PHLEBOTOMY
    duration_weeks = 4
    delivery = "100% online, evening classes"
    credential = "NHA CPT"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    ends_on = factory.LazyAttribute(lambda c: c.starts_on + timedelta(weeks=4))
    capacity = 10


def applicant(n: int = 0, **overrides: object) -> dict:
    """The fields of a qualified application from person number n."""
    return {
        "first_name": "Jamie",
        "last_name": f"Applicant{n}",
        "email": f"jamie{n}@example.com",
        "phone": f"+1202555{n:04d}",
        "date_of_birth": date(1998, 5, 17),
        "education": Education.HS_DIPLOMA,
        "consent": {"sms": False, "email": True, "phone": False},
        **overrides,
    }


# -- externships -------------------------------------------------------------------------------


class StudentFactory(factory.django.DjangoModelFactory):
    """An enrolled student, placed directly (tests of enrolment go through the services)."""

    class Meta:
        model = "enrollment.Student"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    requirement_set = None

    @factory.post_generation
    def student_role(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from django.contrib.auth.models import Group

            from accounts.models import Role

            self.user.groups.add(Group.objects.get_or_create(name=Role.STUDENT)[0])

    @factory.post_generation
    def period(self, create: bool, extracted: object, **kwargs: object) -> None:
        """`StudentFactory(period=date)` opens the enrollment period the lifecycle services need."""
        if create and extracted:
            from enrollment.models import EnrollmentPeriod

            EnrollmentPeriod.objects.create(student=self, cohort=self.cohort, started_on=extracted)

    @factory.post_generation
    def email_consent(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Students agreed to email on their application, as `applicant()` does; pass
        `email_consent=False` for one who did not."""
        if create and extracted is not False:
            from enrollment.models import ConsentRecord

            ConsentRecord.objects.create(
                channel="email",
                address=self.user.email,
                granted=True,
                disclosure_text="I agree that the school may email me.",
                disclosure_version="test",
            )


class RequirementSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "externships.RequirementSet"

    program = factory.SubFactory(ProgramFactory)
    edition = factory.Sequence(lambda n: f"Edition {n}")
    source = "Test source"
    is_current = True


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "externships.Requirement"

    requirement_set = factory.SubFactory(RequirementSetFactory)
    kind = "hours"
    label = "Externship hours"
    params = factory.LazyFunction(lambda: {"hours": 160})


class SiteFactory(factory.django.DjangoModelFactory):
    """A site; pass programs=[...] and supervisors=[...] to fill its many-to-many fields."""

    class Meta:
        model = "externships.Site"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Site {n}")
    kind = "clinic"
    address = "1 Main Street, Springfield"
    capacity = 2
    agreement_valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))

    @factory.post_generation
    def programs(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.programs.add(*extracted)

    @factory.post_generation
    def supervisors(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.supervisors.add(*extracted)


class ComplianceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "externships.ComplianceDocument"

    student = factory.SubFactory(StudentFactory)
    kind = "immunizations"
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


def complete_documents(student: object, **overrides: object) -> list:
    """Every required compliance document for the student, valid for a year unless overridden."""
    from externships.models import DocumentKind

    return [
        ComplianceDocumentFactory(student=student, kind=kind, **overrides) for kind in DocumentKind
    ]


class ExternshipFactory(factory.django.DjangoModelFactory):
    """An active externship that began 30 days ago and ends in 30, placed directly."""

    class Meta:
        model = "externships.Externship"

    student = factory.SubFactory(StudentFactory)
    site = factory.SubFactory(SiteFactory)
    supervisor = factory.SubFactory(UserFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = "active"


class HourLogFactory(factory.django.DjangoModelFactory):
    """An approved eight-hour shift (8:00 to 16:30 with a 30-minute break), written directly."""

    class Meta:
        model = "externships.HourLog"

    externship = factory.SubFactory(ExternshipFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    start_time = factory.LazyFunction(lambda: time(8, 0))
    end_time = factory.LazyFunction(lambda: time(16, 30))
    break_minutes = 30
    minutes = factory.LazyAttribute(
        lambda log: (
            (log.end_time.hour * 60 + log.end_time.minute)
            - (log.start_time.hour * 60 + log.start_time.minute)
            - log.break_minutes
        )
    )
    activities = "Rooming patients, vital signs"
    status = "approved"


class ProcedureLogFactory(factory.django.DjangoModelFactory):
    """Approved successful procedures, written directly."""

    class Meta:
        model = "externships.ProcedureLog"

    externship = factory.SubFactory(ExternshipFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    kind = "venipuncture"
    count = 1
    successful = True
    status = "approved"


# -- careers -----------------------------------------------------------------------------------


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An enrolled application: the date of birth and education that exam readiness reads."""

    class Meta:
        model = "enrollment.Application"

    cohort = factory.SubFactory(CohortFactory)
    first_name = "Jamie"
    last_name = factory.Sequence(lambda n: f"Applicant{n}")
    email = factory.Sequence(lambda n: f"enrolled{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1202556{n % 10000:04d}")
    date_of_birth = date(1998, 5, 17)
    education = Education.HS_DIPLOMA
    status = "enrolled"


def exam_ready_student(with_application: bool = True, **fields: object) -> object:
    """A student who may sit the exam today: an 8-hour requirement met by one approved shift, and
    (with the application) 18 or older with a diploma."""
    from externships.models import RequirementSet

    student = StudentFactory(**fields)
    program = student.cohort.program
    student.requirement_set = (
        RequirementSet.objects.filter(program=program, is_current=True).first()
        or RequirementFactory(requirement_set__program=program, params={"hours": 8}).requirement_set
    )
    if with_application:
        student.application = ApplicationFactory(cohort=student.cohort)
    student.save(update_fields=["requirement_set", "application"])
    HourLogFactory(externship=ExternshipFactory(student=student))
    return student


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careers.Employer"

    name = factory.Sequence(lambda n: f"Employer {n}")
    address = "2 Market Street, Springfield"


class ExamAttemptFactory(factory.django.DjangoModelFactory):
    """A failed first attempt last week, written directly."""

    class Meta:
        model = "careers.ExamAttempt"

    student = factory.SubFactory(StudentFactory)
    credential = factory.LazyAttribute(lambda a: a.student.cohort.program.credential)
    attempt_number = 1
    sat_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    result = "failed"


class JobApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careers.JobApplication"

    student = factory.SubFactory(StudentFactory)
    employer = factory.SubFactory(EmployerFactory)
    role = "Medical assistant"
    status = "applied"
    applied_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    status_changed_on = factory.SelfAttribute("applied_on")


class JobPlacementFactory(factory.django.DjangoModelFactory):
    """An unverified full-time in-field job at $21.00 an hour, written directly."""

    class Meta:
        model = "careers.JobPlacement"

    student = factory.SubFactory(StudentFactory)
    employer = factory.SubFactory(EmployerFactory)
    title = "Phlebotomist"
    classification = "in_field"
    employment = "full_time"
    hourly_wage_cents = 2100
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=14))
    verification_method = "employer"
    evidence_note = "HR confirmed by phone"


class ReferencePayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careers.ReferencePay"

    program = factory.SubFactory(ProgramFactory)
    year = 2023
    annual_median_cents = 4_200_000
    hourly_median_cents = 2019
    annual_p10_cents = 3_350_000
    annual_p90_cents = 5_648_000
    source = "Test source"


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "careers.Unavailability"

    student = factory.SubFactory(StudentFactory, stage="graduated")
    reason = "military"
    documented_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    evidence_note = "Deployment orders on file"
