"""A student's journey as their coach follows it: every stage change, whichever app makes it,
appears on the coach's page of the student (/coach/students/<id>/)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from enrollment.applying import application_submit
from enrollment.services import Actor, application_accept
from externships.services import externship_create
from students.services import student_graduate, student_reenter, student_withdraw
from tests.conftest import with_role
from tests.factories import (
    CohortFactory,
    HourLogFactory,
    RequirementFactory,
    SiteFactory,
    applicant,
    complete_documents,
)

pytestmark = pytest.mark.django_db


def test_starting_an_externship_graduating_withdrawing_and_reentering_reach_the_timeline(
    client,
) -> None:
    today = timezone.localdate()
    coach = with_role(Role.COACH, email="coach@school.test")
    director = with_role(Role.ADMIN, email="director@school.test")
    cohort = CohortFactory(capacity=2, starts_on=today + timedelta(days=1))
    cohort.coaches.add(coach)
    edition = RequirementFactory(
        requirement_set__program=cohort.program,
        requirement_set__is_current=True,
        params={"hours": 8},
    ).requirement_set

    offered, _ = application_submit(cohort=cohort, **applicant(1))
    student = application_accept(application=offered, actor=Actor(label="applicant")).student
    assert (student.coach, student.requirement_set) == (coach, edition)

    supervisor = with_role(Role.SUPERVISOR, email="preceptor@clinic.test")
    complete_documents(student)
    externship = externship_create(
        student=student,
        site=SiteFactory(programs=[cohort.program], supervisors=[supervisor]),
        supervisor=supervisor,
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    HourLogFactory(externship=externship, date=today)
    student_withdraw(student=student, on=today, actor=director, reason="Moved away.")
    student_reenter(student=student, cohort=cohort, on=today, actor=director)
    student_graduate(student=student, on=today, actor=director)

    client.force_login(coach)
    page = client.get(f"/coach/students/{student.pk}/").content.decode()
    for change in (
        "new → enrolled",
        "enrolled → externship",
        "externship → withdrawn",
        "withdrawn → enrolled",
        "enrolled → graduated",
    ):
        assert change in page, change
