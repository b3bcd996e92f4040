"""Offers: accept, decline, withdraw, expiry, and the next person in line getting the seat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Application, Status
from enrollment.services import Actor, settle_expired_offers
from tests.conftest import client_for
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db


def apply(cohort, n: int) -> Application:
    return application_submit(cohort=cohort, **applicant(n))[0]


def act(api, application: Application, verb: str, token: str | None = None):
    token = application.status_token if token is None else token
    return api.post(f"/api/v1/applications/{application.pk}/{verb}/?token={token}")


def lapse(application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_accepting_an_offer_enrolls(api) -> None:
    offered = apply(CohortFactory(capacity=1), 1)
    response = act(api, offered, "accept")
    assert response.status_code == 200
    assert response.json()["status"] == "enrolled"


def test_declining_passes_the_seat_to_the_first_on_the_waitlist_at_once(api) -> None:
    cohort = CohortFactory(capacity=1)
    offered, first, second = apply(cohort, 1), apply(cohort, 2), apply(cohort, 3)
    assert act(api, offered, "decline").json()["status"] == "declined"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.OFFERED
    assert first.offer_expires_at > timezone.now() + timedelta(hours=47)
    assert second.status == Status.WAITLISTED
    assert act(api, second, "accept").status_code == 409


def test_withdrawing_from_the_waitlist_closes_the_gap(api) -> None:
    cohort = CohortFactory(capacity=0)
    first, second, third = apply(cohort, 1), apply(cohort, 2), apply(cohort, 3)
    act(api, first, "withdraw")
    positions = [act_get(api, a)["waitlist_position"] for a in (second, third)]
    assert positions == [1, 2]


def act_get(api, application: Application) -> dict:
    return api.get(
        f"/api/v1/applications/{application.pk}/?token={application.status_token}"
    ).json()


def test_an_enrolled_student_who_withdraws_frees_the_seat_for_the_waitlist(api) -> None:
    cohort = CohortFactory(capacity=1)
    enrolled, waiting = apply(cohort, 1), apply(cohort, 2)
    act(api, enrolled, "accept")
    assert act(api, enrolled, "withdraw").json()["status"] == "withdrawn"
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED


def test_an_expired_offer_cannot_be_accepted_and_its_seat_moves_on(api) -> None:
    cohort = CohortFactory(capacity=1)
    offered, waiting = apply(cohort, 1), apply(cohort, 2)
    lapse(offered)
    response = act(api, offered, "accept")
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert offered.status == Status.EXPIRED
    assert waiting.status == Status.OFFERED


def test_reading_the_seats_shows_a_lapsed_offer_as_free_and_writes_nothing(api) -> None:
    cohort = CohortFactory(capacity=1)
    offered, waiting = apply(cohort, 1), apply(cohort, 2)
    lapse(offered)
    seats = api.get(f"/api/v1/cohorts/{cohort.pk}/").json()
    assert seats["seats_left"] == 1
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert (offered.status, waiting.status) == (Status.OFFERED, Status.WAITLISTED)


def test_the_next_write_to_the_cohort_settles_a_lapsed_offer_first(api) -> None:
    """No worker running: a newcomer's application settles the lapsed offer, and the seat goes
    to the one who waited, not to the newcomer."""
    cohort = CohortFactory(capacity=1)
    offered, waiting = apply(cohort, 1), apply(cohort, 2)
    lapse(offered)
    newcomer = apply(cohort, 3)
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert [offered.status, waiting.status, newcomer.status] == [
        Status.EXPIRED,
        Status.OFFERED,
        Status.WAITLISTED,
    ]


def test_an_expired_offer_never_counts_against_capacity_even_before_it_is_settled(api) -> None:
    cohort = CohortFactory(capacity=1)
    lapse(apply(cohort, 1))
    from enrollment.selectors import cohorts_with_counts

    assert cohorts_with_counts().get(pk=cohort.pk).seats_left == 1


def test_the_background_job_settles_every_cohort_with_a_lapsed_offer() -> None:
    cohorts = [CohortFactory(capacity=1), CohortFactory(capacity=1)]
    for n, cohort in enumerate(cohorts):
        lapse(apply(cohort, n))
    assert settle_expired_offers() == 2
    assert not Application.objects.filter(status=Status.OFFERED).exists()


@pytest.mark.parametrize(
    ("setup", "verb"),
    [
        ("enrolled", "accept"),
        ("enrolled", "decline"),
        ("waitlisted", "accept"),
        ("withdrawn", "withdraw"),
    ],
)
def test_an_illegal_transition_is_a_409_with_the_reason(api, setup: str, verb: str) -> None:
    cohort = CohortFactory(capacity=0 if setup == "waitlisted" else 1)
    application = apply(cohort, 1)
    if setup == "enrolled":
        act(api, application, "accept")
    if setup == "withdrawn":
        act(api, application, "withdraw")
    response = act(api, application, verb)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert f"cannot {verb}" in response.json()["detail"]


def test_a_wrong_token_is_a_404_and_changes_nothing(api) -> None:
    application = apply(CohortFactory(capacity=1), 1)
    other = apply(CohortFactory(capacity=1), 2)
    assert act(api, application, "accept", token=other.status_token).status_code == 404
    assert act(api, application, "accept", token="").status_code in (401, 403)
    application.refresh_from_db()
    assert application.status == Status.OFFERED


def test_staff_may_act_for_an_applicant_and_are_named_in_the_history(admin_user) -> None:
    application = apply(CohortFactory(capacity=1), 1)
    client = client_for(admin_user)
    response = client.post(f"/api/v1/applications/{application.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["history"][-1]["by"] == admin_user.email


def test_a_student_account_cannot_act_on_someone_elses_application(student) -> None:
    application = apply(CohortFactory(capacity=1), 1)
    assert (
        client_for(student).post(f"/api/v1/applications/{application.pk}/accept/").status_code
        == 403
    )


def test_an_offer_is_emailed_only_after_the_change_commits(
    mailoutbox, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory(capacity=1)
    offered = apply(cohort, 1)
    waiting = apply(cohort, 2)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        from enrollment.services import application_decline

        application_decline(application=offered, actor=Actor(label="applicant"))
        assert mailoutbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    [mail] = mailoutbox
    assert mail.to == [waiting.email]
    assert "A seat" in mail.subject
    assert f"/status/{waiting.status_token}/" in mail.body


def test_reading_an_application_shows_its_lapsed_offer_as_expired_and_writes_nothing(
    api,
) -> None:
    cohort = CohortFactory(capacity=1)
    offered, waiting = apply(cohort, 1), apply(cohort, 2)
    lapse(offered)
    assert act_get(api, offered)["status"] == "expired"
    assert act_get(api, waiting)["status"] == "waitlisted"
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED  # recorded by the job or the next write


def test_the_status_page_shows_a_lapsed_offer_as_expired_and_writes_nothing(client) -> None:
    cohort = CohortFactory(capacity=1)
    offered, waiting = apply(cohort, 1), apply(cohort, 2)
    lapse(offered)
    page = client.get(f"/status/{offered.status_token}/").content.decode()
    assert 'data-status="expired"' in page
    assert "Accept my seat" not in page
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_accepting_a_lapsed_offer_is_refused_and_passes_the_seat_on(api) -> None:
    cohort = CohortFactory(capacity=1)
    offered, waiting = apply(cohort, 1), apply(cohort, 2)
    lapse(offered)
    assert act(api, offered, "accept").status_code == 409
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED


def test_an_enrolled_student_who_withdraws_leaves_the_caseload_and_placements(api) -> None:
    from enrollment.models import StudentStage

    enrolled = apply(CohortFactory(capacity=1), 1)
    act(api, enrolled, "accept")
    act(api, enrolled, "withdraw")
    enrolled.refresh_from_db()
    assert enrolled.student.stage == StudentStage.WITHDRAWN


def test_applying_with_a_staff_members_email_never_enrolls_into_their_account(api, coach) -> None:
    offered = apply(CohortFactory(capacity=1), 1)
    Application.objects.filter(pk=offered.pk).update(email=coach.email)
    response = act(api, offered, "accept")
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]
    coach.refresh_from_db()
    assert not hasattr(coach, "student")
    assert "student" not in set(coach.groups.values_list("name", flat=True))
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED


def test_a_huge_id_is_a_4xx_not_a_500(api, admin_user) -> None:
    assert api.get("/api/v1/cohorts/99999999999999999999/").status_code in (400, 404)
    response = client_for(admin_user).post(
        "/api/v1/hour-logs/bulk-approve/", {"ids": [99999999999999999999]}, format="json"
    )
    assert 400 <= response.status_code < 500
