"""The admin's coach pickers list active coaches only: a cohort's coaches (whom new students
are given) and a student's coach. An admin, a student, a supervisor or a coach whose account
is closed is never offered, and cannot be posted either.

The cast: an admin (edits cohorts and students), two active coaches, a coach who left, and
people in other roles."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from enrollment.models import Cohort, Student
from tests.conftest import with_role
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def people(admin_user) -> dict[str, User]:
    return {
        "Casey Coach": with_role(Role.COACH, first_name="Casey", last_name="Coach"),
        "Drew Coach": with_role(Role.COACH, first_name="Drew", last_name="Coach"),
        "Gone Coach": with_role(Role.COACH, first_name="Gone", last_name="Coach", is_active=False),
        "Sam Student": with_role(Role.STUDENT, first_name="Sam", last_name="Student"),
        "Pat Preceptor": with_role(Role.SUPERVISOR, first_name="Pat", last_name="Preceptor"),
        "admin": admin_user,
    }


def options(html: str, name: str) -> list[str]:
    """The labels of a select's options, the empty choice left out."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no select named {name}"
    labels = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(0))
    return [label for _, label in labels]


def test_the_cohort_form_offers_active_coaches_only(signed_in, people) -> None:
    add = signed_in.get(reverse("admin:enrollment_cohort_add")).content.decode()
    assert options(add, "coaches") == ["Casey Coach", "Drew Coach"]
    cohort = CohortFactory()
    change = signed_in.get(reverse("admin:enrollment_cohort_change", args=[cohort.pk]))
    assert options(change.content.decode(), "coaches") == ["Casey Coach", "Drew Coach"]


@pytest.mark.parametrize("who", ["Sam Student", "Pat Preceptor", "Gone Coach", "admin"])
def test_a_cohort_cannot_be_given_someone_who_is_not_an_active_coach(
    signed_in, people, who
) -> None:
    form = {
        "program": ProgramFactory().pk,
        "name": "Spring",
        "starts_on": date(2027, 3, 1),
        "ends_on": date(2027, 7, 1),
        "capacity": 10,
        "enrollment_cutoff": date(2027, 3, 1),
        "coaches": [people["Casey Coach"].pk, people[who].pk],
    }
    page = signed_in.post(reverse("admin:enrollment_cohort_add"), form)
    assert page.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in page.content.decode()
    assert not Cohort.objects.filter(name="Spring").exists()

    form["coaches"] = [people["Casey Coach"].pk]
    assert signed_in.post(reverse("admin:enrollment_cohort_add"), form).status_code == 302
    assert list(Cohort.objects.get(name="Spring").coaches.all()) == [people["Casey Coach"]]


def test_the_student_form_offers_active_coaches_only(signed_in, people) -> None:
    student = StudentFactory(coach=people["Casey Coach"])
    url = reverse("admin:enrollment_student_change", args=[student.pk])
    labels = options(signed_in.get(url).content.decode(), "coach")
    assert labels == ["Casey Coach (1 active students)", "Drew Coach (0 active students)"]

    page = signed_in.post(url, {"coach": people["Pat Preceptor"].pk})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert Student.objects.get(pk=student.pk).coach == people["Casey Coach"]
