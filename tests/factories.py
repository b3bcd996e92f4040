from datetime import date, timedelta

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
