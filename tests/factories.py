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
