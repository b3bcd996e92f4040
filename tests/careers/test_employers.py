"""Employers: coaches and admins add them, once by name in any case, or make one from an
externship site in one step; students read them to record their applications; a supervisor and
anonymous are refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.errors import RuleViolation
from careers.models import Employer
from careers.services import employer_named
from tests.concurrency import at_once
from tests.conftest import client_for
from tests.factories import EmployerFactory, SiteFactory, StudentFactory

pytestmark = pytest.mark.django_db

EMPLOYERS = "/api/v1/employers/"
FROM_SITE = f"{EMPLOYERS}from-site/"


def test_a_coach_adds_an_employer(coach) -> None:
    body = {"name": "  Springfield Clinic  ", "contact_email": "hr@clinic.test"}
    response = client_for(coach).post(EMPLOYERS, body)
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Springfield Clinic"
    assert response.json()["site"] is None


def test_an_employer_name_is_kept_once_in_any_case(admin_user) -> None:
    existing = EmployerFactory(name="Springfield Clinic")
    response = client_for(admin_user).post(EMPLOYERS, {"name": "SPRINGFIELD clinic"})
    assert response.status_code == 400
    assert response.json()["name"] == [
        f'An employer named "Springfield Clinic" already exists (id {existing.pk}).'
    ]
    assert Employer.objects.count() == 1


def test_renaming_to_another_employers_name_is_refused(admin_user) -> None:
    EmployerFactory(name="Springfield Clinic")
    other = EmployerFactory(name="Shelbyville Lab")
    client = client_for(admin_user)
    clash = client.patch(f"{EMPLOYERS}{other.pk}/", {"name": "springfield clinic"})
    assert clash.status_code == 400
    assert "name" in clash.json()
    recase = client.patch(f"{EMPLOYERS}{other.pk}/", {"name": "Shelbyville LAB"})
    assert recase.status_code == 200
    assert recase.json()["name"] == "Shelbyville LAB"


def test_a_site_becomes_an_employer_in_one_step(coach) -> None:
    site = SiteFactory(name="Main Street Clinic", address="1 Main Street")
    client = client_for(coach)
    made = client.post(FROM_SITE, {"site": site.pk})
    assert made.status_code == 201, made.json()
    assert (made.json()["name"], made.json()["address"], made.json()["site"]) == (
        "Main Street Clinic",
        "1 Main Street",
        site.pk,
    )
    again = client.post(FROM_SITE, {"site": site.pk})
    assert again.status_code == 200
    assert again.json()["id"] == made.json()["id"]
    assert Employer.objects.count() == 1


def test_a_site_is_linked_to_an_employer_of_the_same_name(admin_user) -> None:
    employer = EmployerFactory(name="main street clinic")
    site = SiteFactory(name="Main Street Clinic")
    response = client_for(admin_user).post(FROM_SITE, {"site": site.pk})
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["site"]) == (employer.pk, site.pk)


def test_a_namesake_of_another_site_is_refused(admin_user) -> None:
    EmployerFactory(name="Main Street Clinic", site=SiteFactory(name="Main Street Clinic"))
    second = SiteFactory(name="Main Street Clinic")
    response = client_for(admin_user).post(FROM_SITE, {"site": second.pk})
    assert response.status_code == 400
    assert "another site" in response.json()["site"][0]


def test_students_read_employers_but_do_not_add_them(student) -> None:
    StudentFactory(user=student)
    employer = EmployerFactory()
    client = client_for(student)
    assert client.get(EMPLOYERS).json()["count"] == 1
    assert client.get(f"{EMPLOYERS}{employer.pk}/").status_code == 200
    assert client.post(EMPLOYERS, {"name": "My Own Clinic"}).status_code == 403
    assert client.post(FROM_SITE, {"site": SiteFactory().pk}).status_code == 403


def test_supervisors_and_anonymous_are_refused(supervisor, api) -> None:
    assert client_for(supervisor).get(EMPLOYERS).status_code == 403
    assert client_for(supervisor).post(EMPLOYERS, {"name": "X"}).status_code == 403
    assert api.get(EMPLOYERS).status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"name": "Clinic", "contact_email": "not-an-email"}, "contact_email"),
    ],
)
def test_bad_employer_input_is_a_400_naming_the_field(coach, body, field) -> None:
    response = client_for(coach).post(EMPLOYERS, body)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("site", ["abc", 999999, 10**12, None])
def test_a_bad_site_is_a_400(coach, site) -> None:
    response = client_for(coach).post(FROM_SITE, {"site": site}, format="json")
    assert response.status_code == 400
    assert "site" in response.json()


def test_the_employer_list_filters_by_name_and_site(coach) -> None:
    site = SiteFactory()
    EmployerFactory(name="Springfield Clinic", site=site)
    EmployerFactory(name="Shelbyville Lab")
    client = client_for(coach)
    assert client.get(EMPLOYERS, {"name": "clinic"}).json()["count"] == 1
    assert client.get(EMPLOYERS, {"site": site.pk}).json()["count"] == 1


def test_the_employer_list_costs_the_same_queries_for_2_or_20(coach) -> None:
    client = client_for(coach)
    client.get(EMPLOYERS)  # the coach's roles are read once and kept on the user
    EmployerFactory.create_batch(2)
    with CaptureQueriesContext(connection) as two:
        client.get(EMPLOYERS)
    EmployerFactory.create_batch(18)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(EMPLOYERS).json()["count"] == 20
    # The count and the page.
    assert len(two) == len(twenty) == 2


def test_a_named_employer_is_the_one_on_record_in_any_case_else_made_once() -> None:
    existing = EmployerFactory(name="Springfield Clinic")
    assert employer_named(name="  springfield CLINIC ") == existing
    made = employer_named(name="Shelbyville Lab")
    assert made.name == "Shelbyville Lab"
    assert employer_named(name="SHELBYVILLE LAB") == made
    assert Employer.objects.count() == 2


def test_a_blank_employer_name_is_refused() -> None:
    with pytest.raises(RuleViolation, match="Name the employer"):
        employer_named(name="   ")
    assert not Employer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_10_coaches_naming_a_new_employer_at_once_make_one() -> None:
    results = at_once(lambda name: employer_named(name=name), [("Eastside Clinic",)] * 10, 10)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {r.pk for r in results} == {Employer.objects.get().pk}
