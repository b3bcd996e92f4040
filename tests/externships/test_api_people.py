"""People over the API, for admins: add a coach, or a supervisor at their site, each invited by
email to choose a password; change a person's time zone (and name, phone); list and read anyone.
Each change keeps who made it, as the admin's forms do.

The cast: an admin (may do all of it); a coach, a supervisor and a student (none of it), and
someone signed out."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role, User
from messaging.models import Message
from messaging.texting_hours import recipient_zone
from tests.conftest import client_for, with_role
from tests.factories import SiteFactory, StudentFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"


def new_person(**overrides: object) -> dict:
    return {
        "role": "coach",
        "email": "Robin.Coach@School.test",
        "first_name": "Robin",
        "last_name": "Hart",
        **overrides,
    }


def choose_password(email: object, password: str) -> None:
    """Follow the invitation's link and choose a password, as the person would."""
    link = re.search(r"https?://\S+/reset/\S+", email.body).group(0)
    page = Client()
    form = page.get(urlparse(link).path)
    assert form.status_code == 302
    done = page.post(form["Location"], {"new_password1": password, "new_password2": password})
    assert done.status_code == 302


def test_a_new_coach_is_invited_to_choose_a_password_then_signs_in(
    admin_user, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_NAME = "Riverside Career Institute"

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(admin_user).post(
            PEOPLE, new_person(phone="(312) 555-0142", time_zone="America/Chicago"), format="json"
        )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert {k: body[k] for k in ("email", "roles", "sites", "phone", "time_zone")} == {
        "email": "robin.coach@school.test",
        "roles": ["coach"],
        "sites": [],
        "phone": "+13125550142",
        "time_zone": "America/Chicago",
    }
    person = User.objects.get(pk=body["id"])
    assert not person.has_usable_password()
    [invitation] = mail.outbox
    assert invitation.to == ["robin.coach@school.test"]
    assert invitation.subject == "Your Riverside Career Institute account"
    assert "account as a coach" in invitation.body
    assert "caseload" in invitation.body
    choose_password(invitation, "a-Long-new-pass-42")
    token = APIClient().post(
        "/api/v1/auth/token/",
        {"email": "robin.coach@school.test", "password": "a-Long-new-pass-42"},
        format="json",
    )
    assert token.status_code == 200
    assert [(e.history_type, e.history_user) for e in person.audit_trail.all()][-1] == (
        "+",
        admin_user,
    )


def test_a_new_supervisor_supervises_at_their_site(
    admin_user, django_capture_on_commit_callbacks
) -> None:
    site = SiteFactory(name="Lakeside Clinic")
    client = client_for(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            PEOPLE,
            new_person(role="supervisor", site=site.pk, email="sam@lake.test"),
            format="json",
        )

    assert answer.status_code == 201, answer.json()
    assert (answer.json()["roles"], answer.json()["sites"]) == (["supervisor"], [site.pk])
    supervisors = client.get(f"/api/v1/sites/{site.pk}/").json()["supervisors"]
    assert [s["email"] for s in supervisors] == ["sam@lake.test"]
    [invitation] = mail.outbox
    assert "account as a site supervisor" in invitation.body
    assert "students log at Lakeside Clinic" in invitation.body


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"email": "DIRECTOR@school.test"},
            "email",
            "Someone already has an account with this email address.",
        ),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"role": "supervisor"}, "site", "A supervisor supervises at a site: give its id."),
        ({"role": "admin"}, "role", '"admin" is not a valid choice.'),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "'Mars/Olympus' is not a time zone such as America/New_York.",
        ),
        ({"phone": "12"}, "phone", "Enter a valid phone number."),
        ({"first_name": ""}, "first_name", "This field may not be blank."),
        ({"site": 999999}, "site", 'Invalid pk "999999" - object does not exist.'),
    ],
)
def test_a_person_who_cannot_be_added_is_a_field_error_and_nothing_is_made_or_sent(
    admin_user, change, field, message
) -> None:
    before = User.objects.count()

    answer = client_for(admin_user).post(PEOPLE, new_person(**change), format="json")

    assert answer.status_code == 400
    assert answer.json()[field] == [message]
    assert User.objects.count() == before
    assert not Message.objects.exists()


def test_a_coach_is_not_tied_to_a_site(admin_user) -> None:
    answer = client_for(admin_user).post(PEOPLE, new_person(site=SiteFactory().pk), format="json")
    assert answer.json() == {"site": ["A coach is not tied to a site."], "code": "invalid"}


def test_an_admin_sets_a_students_time_zone_and_texts_follow_it(admin_user) -> None:
    learner = StudentFactory(user__phone="+12125550100")  # a New York number
    client = client_for(admin_user)
    url = f"{PEOPLE}{learner.user.pk}/"

    answer = client.patch(url, {"time_zone": "Pacific/Honolulu"}, format="json")
    refused = client.patch(url, {"time_zone": "Hawaii time"}, format="json")

    assert answer.status_code == 200
    assert answer.json()["time_zone"] == "Pacific/Honolulu"
    assert refused.status_code == 400
    assert refused.json() == {
        "time_zone": ["'Hawaii time' is not a time zone such as America/New_York."]
    }
    person = User.objects.get(pk=learner.user.pk)
    assert str(recipient_zone(person, person.phone)) == "Pacific/Honolulu"
    newest = person.audit_trail.first()
    assert (newest.history_user, newest.time_zone) == (admin_user, "Pacific/Honolulu")
    assert [c.field for c in newest.diff_against(newest.prev_record).changes] == ["time_zone"]

    # Blank again: unknown, so the number's area code gives the zone.
    assert client.patch(url, {"time_zone": ""}, format="json").status_code == 200
    person = User.objects.get(pk=learner.user.pk)
    assert str(recipient_zone(person, person.phone)) == "America/New_York"


def test_names_and_phone_change_but_not_the_email(admin_user, coach) -> None:
    client = client_for(admin_user)
    url = f"{PEOPLE}{coach.pk}/"

    answer = client.patch(url, {"first_name": "Ann", "phone": "202 555 0123"}, format="json")
    email = client.patch(url, {"email": "else@school.test"}, format="json")

    assert (answer.json()["first_name"], answer.json()["phone"]) == ("Ann", "+12025550123")
    assert email.json() == {"email": ["This field is not accepted here."]}
    coach.refresh_from_db()
    assert (coach.first_name, coach.email) == ("Ann", "coach@school.test")


def test_the_list_filters_by_role_site_and_name(admin_user, coach, supervisor) -> None:
    site = SiteFactory(supervisors=[supervisor])
    learner = StudentFactory(user__first_name="Quinn", user__last_name="Baker")
    client = client_for(admin_user)

    def ids(query: dict) -> list[int]:
        return [p["id"] for p in client.get(PEOPLE, query).json()["results"]]

    assert ids({"role": "coach"}) == [coach.pk]
    assert ids({"site": site.pk}) == [supervisor.pk]
    assert ids({"search": "quinn bak"}) == [learner.user.pk]
    assert set(ids({})) == {admin_user.pk, coach.pk, supervisor.pk, learner.user.pk}
    assert client.get(PEOPLE, {"role": "wizard"}).status_code == 400
    assert client.get(f"{PEOPLE}{supervisor.pk}/").json()["sites"] == [site.pk]


def test_only_admins_add_change_or_read_people(api, coach, supervisor, student) -> None:
    for client, code in (
        (api, 401),
        (client_for(coach), 403),
        (client_for(supervisor), 403),
        (client_for(student), 403),
    ):
        assert client.post(PEOPLE, new_person(), format="json").status_code == code
        assert client.get(PEOPLE).status_code == code
        assert client.get(f"{PEOPLE}{coach.pk}/").status_code == code
        patched = client.patch(f"{PEOPLE}{coach.pk}/", {"time_zone": "UTC"}, format="json")
        assert patched.status_code == code
    assert not User.objects.filter(email="robin.coach@school.test").exists()
    coach.refresh_from_db()
    assert coach.time_zone == ""


def test_the_list_costs_the_same_queries_for_2_or_20_people(
    admin_user, django_assert_num_queries
) -> None:
    site = SiteFactory()
    for count in (2, 20):
        for _ in range(count - User.objects.count()):
            site.supervisors.add(with_role(Role.SUPERVISOR))
        client = client_for(User.objects.get(pk=admin_user.pk))
        # the user's roles, the count, the page, the page's groups, the page's sites
        with django_assert_num_queries(5):
            assert client.get(PEOPLE).json()["count"] == count
