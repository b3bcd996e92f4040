"""The public pages work with plain HTML forms, no JavaScript."""

import pytest

from enrollment.models import Application, ConsentRecord, Status
from enrollment.services import application_submit
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db


def form(cohort, n: int = 1, **overrides: str) -> dict:
    return {
        "cohort": cohort.pk,
        "first_name": "Robin",
        "last_name": f"Lee{n}",
        "email": f"robin{n}@example.com",
        "phone": "(202) 555-0188",
        "date_of_birth": "1999-02-03",
        "education": "ged",
        **overrides,
    }


def test_the_home_page_lists_programs_with_live_seats(client) -> None:
    CohortFactory(capacity=2)
    page = client.get("/").content.decode()
    assert "Phlebotomy" in page
    assert "Only 2 seats left" in page


def test_the_form_shows_unchecked_consent_boxes_and_says_consent_is_optional(client) -> None:
    CohortFactory()
    page = client.get("/apply/phlebotomy/").content.decode()
    assert page.count('type="checkbox"') == 4  # texts about the application, then marketing
    assert "checked" not in page
    assert "Consent is not required to apply" in page
    assert "Msg &amp; data rates may apply" in page


def test_submitting_the_form_applies_and_redirects_to_the_status_page(client) -> None:
    cohort = CohortFactory()
    response = client.post("/apply/phlebotomy/", {**form(cohort), "consent_email": "on"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/status/{application.status_token}/"
    assert application.status == Status.OFFERED
    assert str(application.phone) == "+12025550188"
    [consent] = ConsentRecord.objects.all()
    assert consent.channel == "email"
    assert consent.source_page.endswith("/apply/phlebotomy/")


def test_form_errors_show_next_to_their_fields_and_nothing_is_saved(client) -> None:
    cohort = CohortFactory()
    response = client.post(
        "/apply/phlebotomy/", form(cohort, last_name="", date_of_birth="2999-01-01")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_last_name_error"' in page
    assert "The date of birth must be in the past." in page
    assert 'value="robin1@example.com"' in page
    assert not Application.objects.exists()


def test_the_status_page_shows_the_waitlist_position_and_a_leave_button(client) -> None:
    cohort = CohortFactory(capacity=1)
    application_submit(cohort=cohort, **applicant(1))
    waiting, _ = application_submit(cohort=cohort, **applicant(2))
    page = client.get(f"/status/{waiting.status_token}/").content.decode()
    assert 'class="position">1<' in page
    assert "Leave the waitlist" in page


def test_accepting_on_the_status_page_enrolls(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    response = client.post(f"/status/{offered.status_token}/accept/", follow=True)
    assert "You accepted your seat" in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.ENROLLED


def test_an_action_that_is_no_longer_allowed_shows_why(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    client.post(f"/status/{offered.status_token}/decline/")
    page = client.post(f"/status/{offered.status_token}/accept/", follow=True).content.decode()
    assert "You cannot accept an application that is declined." in page


def test_an_unknown_status_token_is_a_404(client) -> None:
    assert client.get("/status/not-a-token/").status_code == 404
    assert client.post("/status/not-a-token/accept/").status_code == 404


def test_the_status_actions_only_take_post(client) -> None:
    offered, _ = application_submit(cohort=CohortFactory(capacity=1), **applicant(1))
    assert client.get(f"/status/{offered.status_token}/accept/").status_code == 405


def test_an_inactive_program_has_no_form(client) -> None:
    ProgramFactory(is_active=False)
    assert client.get("/apply/phlebotomy/").status_code == 404


def test_the_admin_previews_a_capacity_change_before_saving_it(client, admin_user) -> None:
    cohort = CohortFactory(capacity=1)
    for n in range(4):
        application_submit(cohort=cohort, **applicant(n))
    client.force_login(admin_user)
    url = f"/admin/enrollment/cohort/{cohort.pk}/capacity/"
    preview = client.post(url, {"capacity": 3}).content.decode()
    assert "Saving this sends 2 offers to the waitlist" in preview
    cohort.refresh_from_db()
    assert cohort.capacity == 1
    client.post(url, {"capacity": 3, "previewed": 3})
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    assert cohort.applications.filter(status=Status.OFFERED).count() == 3


def test_the_admin_is_told_when_capacity_would_go_below_the_seats_taken(client, admin_user) -> None:
    cohort = CohortFactory(capacity=2)
    for n in range(2):
        application_submit(cohort=cohort, **applicant(n))
    client.force_login(admin_user)
    page = client.post(
        f"/admin/enrollment/cohort/{cohort.pk}/capacity/", {"capacity": 1, "previewed": 1}
    )
    assert "2 seats are taken or offered" in page.content.decode()


def test_the_admin_lists_cohorts_with_their_counts_and_applications_with_history(
    client, admin_user
) -> None:
    cohort = CohortFactory(capacity=1)
    application, _ = application_submit(cohort=cohort, **applicant(1))
    client.force_login(admin_user)
    assert client.get("/admin/enrollment/cohort/").status_code == 200
    page = client.get(f"/admin/enrollment/application/{application.pk}/change/").content.decode()
    assert "A seat was free." in page
    assert client.get("/admin/enrollment/application/?q=jamie1").status_code == 200
