"""Applying through the API: first come first served, waitlist, qualification, dedupe, consent."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend.api import ApplyRateThrottle
from enrollment.consent import DISCLOSURE_VERSION
from enrollment.models import Application, ConsentRecord, Status
from tests.factories import CohortFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def body(target, n: int = 0, **overrides: object) -> dict:
    return {
        "cohort": target.pk,
        "first_name": "Jamie",
        "last_name": f"Applicant{n}",
        "email": f"jamie{n}@example.com",
        "phone": f"(202) 555-{n:04d}",
        "date_of_birth": "1998-05-17",
        "education": "hs_diploma",
        "consent": {"sms": False, "email": True, "phone": False},
        **overrides,
    }


def test_the_first_applicants_get_offers_and_the_rest_join_the_waitlist_in_order(api) -> None:
    cohort = CohortFactory(capacity=2)
    answers = [api.post("/api/v1/applications/", body(cohort, n), format="json") for n in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 201]
    assert [a.json()["status"] for a in answers] == [
        "offered",
        "offered",
        "waitlisted",
        "waitlisted",
    ]
    assert [a.json()["waitlist_position"] for a in answers] == [None, None, 1, 2]
    offer = answers[0].json()
    hold = timezone.datetime.fromisoformat(
        offer["offer_expires_at"]
    ) - timezone.datetime.fromisoformat(offer["submitted_at"])
    assert hold == timedelta(hours=48)
    assert offer["status_token"]


def test_the_phone_is_stored_in_e164(api) -> None:
    cohort = CohortFactory()
    api.post("/api/v1/applications/", body(cohort, 7, phone="202.555.0107"), format="json")
    assert str(Application.objects.get().phone) == "+12025550107"


def test_applying_by_program_slug_picks_its_next_open_cohort(api) -> None:
    program = ProgramFactory()
    later = CohortFactory(program=program, starts_on=timezone.localdate() + timedelta(days=90))
    CohortFactory(program=program, starts_on=timezone.localdate() - timedelta(days=3))  # closed
    sooner = CohortFactory(program=program, starts_on=timezone.localdate() + timedelta(days=30))
    data = body(later)
    del data["cohort"]
    response = api.post("/api/v1/applications/", {**data, "program": program.slug}, format="json")
    assert response.status_code == 201
    assert response.json()["cohort"] == sooner.pk


def test_a_program_with_no_open_cohort_is_refused_with_a_field_error(api) -> None:
    program = ProgramFactory()
    data = body(CohortFactory(program=program, starts_on=timezone.localdate()))
    del data["cohort"]
    response = api.post("/api/v1/applications/", {**data, "program": program.slug}, format="json")
    assert response.status_code == 400
    assert "no cohort open" in response.json()["program"][0]


def test_a_cohort_past_its_cutoff_takes_no_applications(api) -> None:
    cohort = CohortFactory(enrollment_cutoff=timezone.localdate())
    response = api.post("/api/v1/applications/", body(cohort), format="json")
    assert response.status_code == 400
    assert "no longer takes applications" in response.json()["cohort"][0]
    assert not Application.objects.exists()


def test_an_applicant_under_18_on_the_start_date_is_ineligible_and_takes_no_seat(api) -> None:
    cohort = CohortFactory(capacity=1)
    seventeen = cohort.starts_on.replace(year=cohort.starts_on.year - 18) + timedelta(days=1)
    response = api.post(
        "/api/v1/applications/", body(cohort, 1, date_of_birth=str(seventeen)), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "ineligible"
    assert "18 or older" in response.json()["ineligibility_reason"]
    assert response.json()["waitlist_position"] is None
    # The seat is still free for the next qualified applicant.
    assert (
        api.post("/api/v1/applications/", body(cohort, 2), format="json").json()["status"]
        == "offered"
    )


def test_turning_18_on_the_start_date_qualifies() -> None:
    from enrollment.eligibility import ineligibility_reason

    cohort = CohortFactory.build(starts_on=date(2027, 3, 1))
    assert (
        ineligibility_reason(date_of_birth=date(2009, 3, 1), education="ged", cohort=cohort) == ""
    )


def test_an_applicant_without_diploma_or_ged_is_ineligible(api) -> None:
    cohort = CohortFactory()
    response = api.post("/api/v1/applications/", body(cohort, education="none"), format="json")
    assert response.json()["status"] == "ineligible"
    assert "diploma or GED" in response.json()["ineligibility_reason"]


def test_a_withdrawn_applicant_may_apply_again_at_the_back_of_the_line(api) -> None:
    cohort = CohortFactory(capacity=0)
    first = api.post("/api/v1/applications/", body(cohort, 1), format="json").json()
    api.post("/api/v1/applications/", body(cohort, 2), format="json")
    api.post(f"/api/v1/applications/{first['id']}/withdraw/?token={first['status_token']}")
    again = api.post("/api/v1/applications/", body(cohort, 1), format="json")
    assert again.status_code == 201
    assert again.json()["waitlist_position"] == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "valid email"),
        ("phone", "12", "valid phone"),
        ("date_of_birth", "2999-01-01", "in the past"),
        ("date_of_birth", "1800-01-01", "after 1900"),
        ("date_of_birth", "31/02/2000", "wrong format"),
        ("education", "phd", "not a valid choice"),
        ("cohort", 999999, "does not exist"),
        ("first_name", "", "may not be blank"),
        ("first_name", "x" * 101, "no more than 100"),
    ],
)
def test_bad_input_gets_a_field_error_and_writes_nothing(
    api, field: str, value: object, message: str
) -> None:
    cohort = CohortFactory()
    response = api.post("/api/v1/applications/", body(cohort, **{field: value}), format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field]).lower() or message in " ".join(
        response.json()[field]
    )
    assert not Application.objects.exists()


def test_missing_fields_are_each_named(api) -> None:
    response = api.post("/api/v1/applications/", {}, format="json")
    assert response.status_code == 400
    assert {"first_name", "last_name", "email", "phone", "date_of_birth", "education"} <= set(
        response.json()
    )


def test_an_application_names_a_cohort_or_a_program(api) -> None:
    data = body(CohortFactory())
    del data["cohort"]
    response = api.post("/api/v1/applications/", data, format="json")
    assert response.status_code == 400
    assert response.json()["cohort"] == ["Give a cohort id or a program slug."]


def test_a_non_json_body_is_a_400_not_a_500(api) -> None:
    response = api.post("/api/v1/applications/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_each_checked_consent_is_recorded_with_the_exact_disclosure(api) -> None:
    cohort = CohortFactory()
    api.post(
        "/api/v1/applications/",
        body(cohort, 3, consent={"updates_sms": True, "sms": True, "email": True, "phone": False}),
        format="json",
        HTTP_USER_AGENT="Mozilla/5.0 test",
        HTTP_REFERER="https://school.example/apply/phlebotomy/",
    )
    records = {r.channel: r for r in ConsentRecord.objects.all()}
    assert set(records) == {"updates_sms", "sms", "email"}
    assert records["updates_sms"].address == records["sms"].address == "+12025550003"
    assert records["updates_sms"].disclosure_text != records["sms"].disclosure_text
    assert records["email"].address == "jamie3@example.com"
    assert "Msg & data rates may apply" in records["sms"].disclosure_text
    assert "not a condition" in records["sms"].disclosure_text
    assert records["sms"].disclosure_version == DISCLOSURE_VERSION
    assert records["sms"].ip_address == "127.0.0.1"
    assert records["sms"].user_agent == "Mozilla/5.0 test"
    assert records["sms"].source_page == "https://school.example/apply/phlebotomy/"


def test_consent_is_not_required_to_apply(api) -> None:
    cohort = CohortFactory()
    data = body(cohort)
    del data["consent"]
    assert api.post("/api/v1/applications/", data, format="json").status_code == 201
    assert not ConsentRecord.objects.exists()


def test_anonymous_applications_are_throttled_per_client(api, monkeypatch) -> None:
    monkeypatch.setattr(ApplyRateThrottle, "THROTTLE_RATES", {"apply": "2/hour"})
    cohort = CohortFactory()
    codes = [
        api.post("/api/v1/applications/", body(cohort, n), format="json").status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    other_client = api.post(
        "/api/v1/applications/", body(cohort, 9), format="json", REMOTE_ADDR="10.0.0.9"
    )
    assert other_client.status_code == 201


def test_every_status_change_is_kept_in_the_history(api) -> None:
    cohort = CohortFactory(capacity=1)
    created = api.post("/api/v1/applications/", body(cohort), format="json").json()
    token = created["status_token"]
    api.post(f"/api/v1/applications/{created['id']}/accept/?token={token}")
    history = api.get(f"/api/v1/applications/{created['id']}/?token={token}").json()["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("", "submitted"),
        ("submitted", "offered"),
        ("offered", "enrolled"),
    ]
    assert history[-1]["by"] == "applicant"
    assert Application.objects.get().status == Status.ENROLLED
