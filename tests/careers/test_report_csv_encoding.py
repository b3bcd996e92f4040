"""The outcome CSV opens in spreadsheet apps with its accents: UTF-8 with a byte-order mark (what
Excel on Windows needs to read UTF-8) and `charset=utf-8` in the header, from the page and the
API alike.

The cast: an admin, the only reader of outcome reports."""

import csv
import io
from datetime import date

import pytest
from django.test import Client

from enrollment.models import EnrollmentPeriod
from tests.conftest import client_for
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/outcomes/"
BOM = "\ufeff".encode()


@pytest.fixture
def pena() -> None:
    """Reporting year 2024: one student in "Peña · Marzo 2024" of "Técnico de Farmacia"."""
    cohort = CohortFactory(
        program=ProgramFactory(slug="tecnico-de-farmacia", name="Técnico de Farmacia"),
        name="Peña · Marzo 2024",
        starts_on=date(2024, 3, 1),
    )
    EnrollmentPeriod.objects.create(
        student=StudentFactory(cohort=cohort), cohort=cohort, started_on=date(2024, 3, 1)
    )


def rows(content: bytes) -> list[dict[str, str]]:
    # As a script (or Excel) reads a file saved from the browser.
    with io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_the_page_csv_round_trips_an_accented_cohort_name(admin_user, pena) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.get("/reports/outcomes.csv", {"year": 2024})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    [cohort, *_] = rows(response.content)
    assert cohort["level"] == "cohort"
    assert cohort["cohort"] == "Peña · Marzo 2024"


@pytest.mark.parametrize(
    "how", [{"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}], ids=str
)
def test_the_api_csv_round_trips_an_accented_cohort_name(admin_user, pena, how) -> None:
    response = client_for(admin_user).get(
        API, {"year": 2024, **how.get("params", {})}, headers=how.get("headers")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    assert rows(response.content)[0]["cohort"] == "Peña · Marzo 2024"


def test_a_refused_csv_request_answers_in_the_same_encoding(admin_user) -> None:
    response = client_for(admin_user).get(API, {"year": "twenty", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    [[field, message]] = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert field == "year"
    assert message
