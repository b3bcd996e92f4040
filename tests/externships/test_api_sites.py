"""Sites over the API: admins keep them, coaches read them, nobody else sees them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from externships.models import Site
from tests.conftest import client_for, with_role
from tests.factories import ExternshipFactory, ProgramFactory, SiteFactory

pytestmark = pytest.mark.django_db

SITES = "/api/v1/sites/"


def site_body(supervisor, **overrides) -> dict:
    return {
        "name": "Main Street Clinic",
        "kind": "clinic",
        "address": "1 Main Street, Springfield",
        "capacity": 3,
        "agreement_valid_until": str(timezone.localdate() + timedelta(days=365)),
        "programs": ["phlebotomy"],
        "supervisors": [supervisor.pk],
        **overrides,
    }


def test_an_admin_creates_a_site_with_programs_and_supervisors(admin_user, supervisor) -> None:
    ProgramFactory()
    response = client_for(admin_user).post(SITES, site_body(supervisor))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["programs"] == ["phlebotomy"]
    assert body["supervisors"] == [
        {"id": supervisor.pk, "name": str(supervisor), "email": supervisor.email}
    ]
    assert Site.objects.get(pk=body["id"]).supervisors.get() == supervisor


def test_a_site_supervisor_must_hold_the_supervisor_role(admin_user, coach) -> None:
    ProgramFactory()
    response = client_for(admin_user).post(SITES, site_body(coach))
    assert response.status_code == 400
    assert "supervisors" in response.json()


def test_a_site_needs_a_known_program_and_a_positive_capacity(admin_user, supervisor) -> None:
    response = client_for(admin_user).post(
        SITES, site_body(supervisor, programs=["dentistry"], capacity=0)
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"programs", "capacity"}


def test_an_admin_edits_and_deletes_a_site(admin_user) -> None:
    site = SiteFactory(capacity=2)
    client = client_for(admin_user)
    response = client.patch(f"{SITES}{site.pk}/", {"capacity": 5})
    assert response.status_code == 200
    assert response.json()["capacity"] == 5
    assert client.delete(f"{SITES}{site.pk}/").status_code == 204
    assert not Site.objects.filter(pk=site.pk).exists()


def test_a_site_with_placements_cannot_be_deleted(admin_user) -> None:
    externship = ExternshipFactory()
    response = client_for(admin_user).delete(f"{SITES}{externship.site_id}/")
    assert response.status_code == 409
    assert Site.objects.filter(pk=externship.site_id).exists()


def test_a_coach_reads_sites_but_cannot_change_them(coach, supervisor) -> None:
    site = SiteFactory()
    client = client_for(coach)
    assert client.get(SITES).json()["count"] == 1
    assert client.get(f"{SITES}{site.pk}/").status_code == 200
    assert client.post(SITES, site_body(supervisor)).status_code == 403
    assert client.patch(f"{SITES}{site.pk}/", {"capacity": 9}).status_code == 403
    assert client.delete(f"{SITES}{site.pk}/").status_code == 403


def test_students_supervisors_and_strangers_do_not_read_sites(student, supervisor, api) -> None:
    site = SiteFactory()
    for user in (student, supervisor):
        assert client_for(user).get(SITES).status_code == 403
        assert client_for(user).get(f"{SITES}{site.pk}/").status_code == 403
    assert api.get(SITES).status_code in (401, 403)


def test_sites_filter_by_program_and_kind(coach) -> None:
    phlebotomy = ProgramFactory()
    surgery = ProgramFactory(slug="surgical-technologist", name="Surgical Technologist")
    lab = SiteFactory(kind="lab", programs=[phlebotomy])
    SiteFactory(kind="hospital", programs=[phlebotomy, surgery])
    client = client_for(coach)
    assert client.get(SITES, {"program": "phlebotomy"}).json()["count"] == 2
    assert client.get(SITES, {"program": "surgical-technologist"}).json()["count"] == 1
    assert [s["id"] for s in client.get(SITES, {"kind": "lab"}).json()["results"]] == [lab.pk]


def test_the_site_list_costs_the_same_queries_for_2_or_20_sites(coach) -> None:
    program = ProgramFactory()
    supervisors = [with_role(Role.SUPERVISOR, email=f"preceptor{n}@clinic.test") for n in range(3)]
    client = client_for(coach)
    client.get(SITES)  # the coach's roles are read once and kept on the user
    SiteFactory.create_batch(2, programs=[program], supervisors=supervisors)
    with CaptureQueriesContext(connection) as two:
        client.get(SITES)
    SiteFactory.create_batch(18, programs=[program], supervisors=supervisors)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(SITES).json()["count"] == 20
    # The count, the page of sites, their programs, their supervisors.
    assert len(two) == len(twenty) == 4
