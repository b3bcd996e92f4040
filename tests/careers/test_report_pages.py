"""The outcome report's pages as an admin reads them: the reporting year chosen from the years
that hold enrollment, charts whose every bar is named by its cohort with its value, and the
drill-down linking each student to their page with the placement the report counts.

The cast: an admin (reads the report); the API and CSV stay as they were (CONTRACT.md)."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careers.models import Employer, ExamAttempt, JobPlacement, ReferencePay
from careers.reports import reporting_year_of
from enrollment.models import EnrollmentPeriod, PeriodEnd
from tests.conftest import client_for
from tests.factories import CohortFactory, ProgramFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def place(student, title: str, employer: str, classification: str, start: date, cents=1950):
    return JobPlacement.objects.create(
        student=student,
        employer=Employer.objects.get_or_create(name=employer)[0],
        title=title,
        classification=classification,
        employment="full_time",
        hourly_wage_cents=cents,
        start_date=start,
        verification_method="employer",
        evidence_note="Called HR.",
    )


@pytest.fixture
def school():
    """Reporting year 2024 (1 July 2024 to 30 June 2025): Gale graduated from Medical Assistant
    March 2024, took a front-desk job, then one in the field, and passed the exam. Reporting year
    2023: a phlebotomy student withdrew. Nobody is enrolled today."""
    ma = CohortFactory(
        program=ProgramFactory(slug="medical-assistant", name="Medical Assistant"),
        name="March 2024",
        starts_on=date(2024, 3, 1),
    )
    gale = StudentFactory(cohort=ma, user__first_name="Gale", user__last_name="Graduate")
    EnrollmentPeriod.objects.create(
        student=gale,
        cohort=ma,
        started_on=date(2024, 3, 1),
        ended_on=date(2024, 10, 1),
        end_reason=PeriodEnd.GRADUATED,
    )
    ExamAttempt.objects.create(
        student=gale, credential="NHA CCMA", attempt_number=1, sat_on=date(2024, 11, 1),
        result="passed",
    )  # fmt: skip
    place(gale, "Receptionist", "Front Desk Co", "out_of_field", date(2024, 10, 10))
    place(gale, "Medical Assistant", "Riverside Clinic", "in_field", date(2024, 11, 4))
    ReferencePay.objects.create(
        program=ma.program, year=2023, annual_median_cents=4_200_000, hourly_median_cents=2019,
        annual_p10_cents=3_350_000, annual_p90_cents=5_648_000, source="BLS",
    )  # fmt: skip
    phlebotomy = CohortFactory(name="September 2023", starts_on=date(2023, 9, 1))
    EnrollmentPeriod.objects.create(
        student=StudentFactory(cohort=phlebotomy, user__first_name="Wren", user__last_name="Left"),
        cohort=phlebotomy,
        started_on=date(2023, 9, 1),
        ended_on=date(2023, 12, 1),
        end_reason=PeriodEnd.WITHDRAWN,
    )
    return ma, gale


def year_options(html: str) -> list[tuple[str, str, bool]]:
    """The year select's options: (value, label, selected)."""
    select = re.search(r'<select name="year".*?</select>', html, re.S)
    assert select, "the year is not a select"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="(\d+)"( selected)?>([^<]*)</option>', select.group(0)
        )
    ]


def test_the_year_is_chosen_among_the_years_with_enrollment_newest_first(signed_in, school) -> None:
    page = signed_in.get("/reports/outcomes/").content.decode()
    # Nobody is enrolled today: the newest year with enrollment is the default.
    assert [(v, label) for v, label, _ in year_options(page)] == [
        ("2024", "2024-25"),
        ("2023", "2023-24"),
    ]
    assert "Outcome reports: July 1, 2024 to June 30, 2025" in page
    assert "March 2024" in page

    page = signed_in.get("/reports/outcomes/", {"year": 2023}).content.decode()
    assert ("2023", "2023-24", True) in year_options(page)
    assert "Outcome reports: July 1, 2023 to June 30, 2024" in page
    assert "September 2023" in page


def test_a_year_from_an_older_link_stays_chosen(signed_in, school) -> None:
    page = signed_in.get("/reports/outcomes/", {"year": 2019}).content.decode()
    assert year_options(page)[-1] == ("2019", "2019-20", True)
    assert "Outcome reports: July 1, 2019 to June 30, 2020" in page


def test_with_students_enrolled_today_the_current_year_comes_first(signed_in, school) -> None:
    today = timezone.localdate()
    StudentFactory(period=today - timedelta(days=30))
    page = signed_in.get("/reports/outcomes/").content.decode()
    current = reporting_year_of(today)
    assert year_options(page)[0][0] == str(current)
    assert f"Outcome reports: July 1, {current} to" in page


def test_the_api_default_year_is_still_the_current_one(admin_user, school) -> None:
    body = client_for(admin_user).get("/api/v1/reports/outcomes/").json()
    assert body["year"] == reporting_year_of(timezone.localdate())


def chart_rows(html: str, title: str) -> list[str]:
    """The text of each bar of the chart titled `title`, tags and spacing removed."""
    figure = re.search(rf"<figure class=\"chart\">\s*<figcaption><strong>{re.escape(title)}"
                       r"</strong>.*?</figure>", html, re.S)  # fmt: skip
    assert figure, title
    rows = re.findall(r"<li[^>]*>(.*?)</li>", figure.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_every_bar_is_named_by_its_cohort_with_its_value(signed_in, school) -> None:
    page = signed_in.get("/reports/outcomes/", {"year": 2024}).content.decode()
    assert chart_rows(page, "Retention rate by cohort") == [
        "Medical Assistant · March 2024 100% (1 of 1)"
    ]
    assert chart_rows(page, "Credential rate by cohort") == [
        "Medical Assistant · March 2024 100% (1 of 1)"
    ]
    wages = chart_rows(page, "Medical Assistant: hourly wages of placed graduates")
    assert wages == [
        "$19 to $20 an hour 1 graduate",
        "$20 to $21 an hour 0 graduates The reference median, $20.19 an hour, is in this range.",
    ]


def test_a_bar_below_the_benchmark_says_so(signed_in, school) -> None:
    page = signed_in.get("/reports/outcomes/", {"year": 2023}).content.decode()
    assert chart_rows(page, "Retention rate by cohort") == [
        "Medical Assistant · March 2024 100% (1 of 1)",
        "Phlebotomy · September 2023 0% (0 of 1) ▼ below benchmark",
    ]


def test_the_drill_down_links_each_student_and_shows_their_placement(signed_in, school) -> None:
    ma, gale = school
    query = {"year": 2024, "cohort": ma.pk, "figure": "g"}
    page = signed_in.get("/reports/outcomes/students/", query).content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S).group(0)
    assert f'<a href="/coach/students/{gale.pk}/">Gale Graduate</a>' in row
    # The in-field job is the one the report counts, not the earlier front-desk one.
    text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "Medical Assistant at Riverside Clinic In field · started November 4, 2024" in text
    assert "Receptionist" not in text
    assert signed_in.get(f"/coach/students/{gale.pk}/").status_code == 200


def test_the_report_and_its_drill_down_write_the_year_alike(signed_in, school) -> None:
    ma, _gale = school
    report = signed_in.get("/reports/outcomes/", {"year": 2024}).content.decode()
    assert "<title>Outcomes 2024-25 ·" in report
    query = {"year": 2024, "cohort": ma.pk, "figure": "g"}
    drill_down = signed_in.get("/reports/outcomes/students/", query).content.decode()
    assert "2024-25 reporting year, Medical Assistant · March 2024." in drill_down
    assert "2024-2025" not in drill_down


def test_a_student_without_a_placement_says_none_recorded(signed_in, school) -> None:
    page = signed_in.get("/reports/outcomes/students/", {"year": 2023, "figure": "ns"})
    html = page.content.decode()
    assert "Wren Left" in html
    assert "none recorded" in html


def test_the_drill_down_costs_the_same_queries_for_few_or_many_students(signed_in, school) -> None:
    ma, _ = school

    def graduates(count: int) -> None:
        for n in range(count):
            student = StudentFactory(cohort=ma)
            EnrollmentPeriod.objects.create(
                student=student,
                cohort=ma,
                started_on=date(2024, 3, 1),
                ended_on=date(2024, 9, 1),
                end_reason=PeriodEnd.GRADUATED,
            )
            place(student, "MA", f"Clinic {n}", "related", date(2024, 10, 1))

    query = {"year": 2024, "figure": "g"}
    with CaptureQueriesContext(connection) as few:
        signed_in.get("/reports/outcomes/students/", query)
    graduates(5)
    with CaptureQueriesContext(connection) as many:
        page = signed_in.get("/reports/outcomes/students/", query)
    assert "6 students," in page.content.decode()
    # Today 7: the session, the user, their roles; the count, the page of periods with students
    # and cohorts, their placements with employers; the menu's look for the user's own student
    # record. Pinned as "no more for more students", so that a change to the site's menu does
    # not break it.
    assert len(few) == len(many)
