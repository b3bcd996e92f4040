"""Outcome reports over HTTP: only admins read them (API, CSV and pages); bad filters are a 400
with field errors, never a 500.

The cast: an admin (reads everything); a coach, a student and a site supervisor (read nothing
here); anonymous visitors (sent to sign in on pages, refused by the API)."""

import csv
import io
from datetime import date

import pytest

from careers.models import ExamAttempt
from enrollment.models import EnrollmentPeriod, PeriodEnd
from tests.conftest import client_for
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/outcomes/"
URLS = [
    API,
    f"{API}?format=csv",
    f"{API}students/?figure=g",
    "/reports/outcomes/",
    "/reports/outcomes.csv",
    "/reports/outcomes/students/?figure=g",
]


@pytest.fixture
def school():
    """Reporting year 2024: a Medical Assistant cohort with a graduate who passed on the second
    attempt and a withdrawal, and an empty Phlebotomy cohort."""
    ma = CohortFactory(
        program=ProgramFactory(slug="medical-assistant", name="Medical Assistant"),
        name="March 2024",
        starts_on=date(2024, 3, 1),
    )
    empty = CohortFactory(name="Empty", starts_on=date(2024, 9, 1))
    graduate = StudentFactory(cohort=ma, user__first_name="Gale", user__last_name="Graduate")
    EnrollmentPeriod.objects.create(
        student=graduate,
        cohort=ma,
        started_on=date(2024, 3, 1),
        ended_on=date(2024, 10, 1),
        end_reason=PeriodEnd.GRADUATED,
    )
    for number, result in enumerate(["failed", "passed"], start=1):
        ExamAttempt.objects.create(
            student=graduate,
            credential="NHA CCMA",
            attempt_number=number,
            sat_on=date(2024, 11, number),
            result=result,
        )
    EnrollmentPeriod.objects.create(
        student=StudentFactory(cohort=ma),
        cohort=ma,
        started_on=date(2024, 3, 1),
        ended_on=date(2024, 8, 1),
        end_reason=PeriodEnd.WITHDRAWN,
    )
    return ma, empty


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["coach", "student", "supervisor"])
def test_only_admins_read_outcome_reports(request, url, role, client) -> None:
    user = request.getfixturevalue(role)
    if url.startswith("/api/"):
        assert client_for(user).get(url).status_code == 403
    else:
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_refused_or_sent_to_sign_in(url, client, api) -> None:
    if url.startswith("/api/"):
        assert api.get(url).status_code in (401, 403)
    else:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_api_report_has_rates_with_numerators_denominators_and_terms(
    admin_user, school
) -> None:
    body = client_for(admin_user).get(API, {"year": 2024}).json()
    assert body["year"] == 2024
    assert body["benchmarks"] == {"retention": 70, "placement": 70, "credential": 70}
    rows = {row["cohort"]["name"]: row for row in body["rows"]}
    assert set(rows) == {"March 2024"}
    row = rows["March 2024"]
    assert row["program"] == {"slug": "medical-assistant", "name": "Medical Assistant"}
    assert row["terms"] == {
        "be": 2, "ns": 0, "re": 0, "ee": 0, "g": 1, "f": 0, "r": 0, "u": 0, "sat": 1, "passed": 1
    }  # fmt: skip
    assert row["retention"] == {
        "numerator": 1, "denominator": 2, "rate": 50, "below_benchmark": True
    }  # fmt: skip
    assert row["credential"]["rate"] == 100
    assert row["placement"] == {
        "numerator": 0, "denominator": 1, "rate": 0, "below_benchmark": True
    }  # fmt: skip
    assert [t["program"]["slug"] for t in body["totals"]] == ["medical-assistant"]
    assert body["overall"]["terms"]["g"] == 1


def test_an_empty_cohort_is_n_a_in_the_api_and_on_the_page(admin_user, client, school) -> None:
    _, empty = school
    body = client_for(admin_user).get(API, {"year": 2024, "cohort": empty.pk}).json()
    [row] = body["rows"]
    assert row["retention"] == {
        "numerator": 0, "denominator": 0, "rate": None, "below_benchmark": False
    }  # fmt: skip
    client.force_login(admin_user)
    page = client.get("/reports/outcomes/", {"year": 2024, "cohort": empty.pk})
    assert page.status_code == 200
    assert "n/a" in page.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "99999"}, "year"),
        ({"cohort": "x"}, "cohort"),
        ({"cohort": "99999999999999999999999"}, "cohort"),
        ({"program": "no-such-program"}, "program"),
    ],
)
def test_bad_filters_are_a_400_with_field_errors(admin_user, client, query, field) -> None:
    response = client_for(admin_user).get(API, query)
    assert response.status_code == 400
    assert field in response.json()
    assert (
        client_for(admin_user).get(f"{API}students/", {**query, "figure": "g"}).status_code == 400
    )
    client.force_login(admin_user)
    assert client.get("/reports/outcomes/", query).status_code == 400
    assert client.get("/reports/outcomes.csv", query).status_code == 400


def test_a_cohort_of_another_program_and_an_unknown_figure_are_refused(admin_user, school) -> None:
    _, empty = school
    api = client_for(admin_user)
    response = api.get(API, {"program": "medical-assistant", "cohort": empty.pk})
    assert response.status_code == 400
    assert "cohort" in response.json()
    response = api.get(f"{API}students/", {"figure": "everyone"})
    assert response.status_code == 400
    assert "figure" in response.json()


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_has_a_row_per_cohort_then_program_totals_and_overall(
    admin_user, client, school
) -> None:
    from_api = client_for(admin_user).get(API, {"year": 2024, "format": "csv"})
    assert from_api["Content-Type"].startswith("text/csv")
    client.force_login(admin_user)
    from_page = client.get("/reports/outcomes.csv", {"year": 2024})
    assert from_page["Content-Disposition"] == 'attachment; filename="outcomes-2024.csv"'
    assert from_api.content == from_page.content
    rows = read_csv(from_page.content)
    assert [(r["level"], r["program"], r["cohort"]) for r in rows] == [
        ("cohort", "medical-assistant", "March 2024"),
        ("program", "medical-assistant", ""),
        ("overall", "", ""),
    ]
    assert rows[0]["retention_rate"] == "50"
    assert rows[0]["retention_below"] == "below benchmark"
    assert rows[0]["credential_rate"] == "100"
    assert rows[0]["year"] == "2024-25"


def test_the_drill_down_lists_the_students_behind_a_figure(admin_user, client, school) -> None:
    ma, _ = school
    query = {"year": 2024, "cohort": ma.pk, "figure": "credential_numerator"}
    body = client_for(admin_user).get(f"{API}students/", query).json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == "Gale Graduate"
    client.force_login(admin_user)
    page = client.get("/reports/outcomes/students/", query).content.decode()
    assert "Gale Graduate" in page
    assert "1 student," in page


def test_the_page_links_every_number_to_its_students_and_marks_below_benchmark(
    admin_user, client, school
) -> None:
    ma, _ = school
    client.force_login(admin_user)
    page = client.get("/reports/outcomes/", {"year": 2024}).content.decode()
    assert f"?year=2024&amp;cohort={ma.pk}&amp;figure=retention_numerator" in page
    assert "?year=2024&amp;program=medical-assistant&amp;figure=g" in page
    assert "below benchmark" in page
    assert "<svg" in page
    assert 'href="/reports/outcomes.csv?year=2024"' in page
