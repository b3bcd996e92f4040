"""Outcome reports: each ABHES formula on hand-made cohorts of reporting year 2024 (1 July 2024 to
30 June 2025), the drill-down agreeing with every figure, and the pinned query count."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careers.models import Employer, ExamAttempt, JobPlacement, Unavailability
from careers.reports import FIGURES, Terms, figure_periods, outcome_report
from enrollment.models import EnrollmentPeriod, PeriodEnd, StudentStage
from students.services import leave_start
from tests.factories import CohortFactory, ExternshipFactory, ProgramFactory, StudentFactory

pytestmark = pytest.mark.django_db

YEAR = 2024
D = date.fromisoformat


@pytest.fixture
def cohort():
    return CohortFactory(name="March 2024", starts_on=D("2024-03-01"), ends_on=D("2024-09-30"))


def period(cohort, started, ended=None, reason="", reentry_after=None, student=None):
    return EnrollmentPeriod.objects.create(
        student=student or StudentFactory(cohort=cohort),
        cohort=cohort,
        started_on=D(started),
        ended_on=D(ended) if ended else None,
        end_reason=reason,
        reentry_after=D(reentry_after) if reentry_after else None,
    )


def graduate(cohort, on="2024-10-01"):
    return period(cohort, "2024-03-01", on, PeriodEnd.GRADUATED).student


def terms(**filters) -> Terms:
    return outcome_report(year=YEAR, **filters).overall.terms


def place(student, classification, cents=1900):
    employer = Employer.objects.get_or_create(name="Clinic")[0]
    JobPlacement.objects.create(
        student=student,
        employer=employer,
        title="MA",
        classification=classification,
        employment="full_time",
        hourly_wage_cents=cents,
        start_date=D("2024-11-01"),
        verification_method="employer",
        evidence_note="Called.",
    )


def sit(student, *results):
    for number, result in enumerate(results, start=1):
        ExamAttempt.objects.create(
            student=student,
            credential="NHA CCMA",
            attempt_number=number,
            sat_on=D("2024-11-01"),
            result=result,
        )


def test_retention_counts_each_term_at_the_year_boundaries(cohort) -> None:
    period(cohort, "2024-06-30")  # BE and EE: enrolled on 1 July and on 30 June
    period(cohort, "2024-03-01", "2024-06-30", PeriodEnd.WITHDRAWN)  # left the day before: none
    period(cohort, "2024-03-01", "2024-07-01", PeriodEnd.WITHDRAWN)  # BE only: left on 1 July
    period(cohort, "2024-07-01", "2025-06-30", PeriodEnd.GRADUATED)  # NS and G
    period(cohort, "2024-08-01", "2025-06-30", PeriodEnd.WITHDRAWN)  # NS only, not EE
    period(cohort, "2024-08-01", "2025-07-01", PeriodEnd.GRADUATED)  # NS and EE, G next year
    period(cohort, "2025-07-01")  # next year's start: none
    counted = terms()
    assert (counted.be, counted.ns, counted.re, counted.ee, counted.g) == (2, 3, 0, 2, 1)
    retention = outcome_report(year=YEAR).overall.retention
    assert (retention.numerator, retention.denominator, retention.rate) == (3, 5, 60)
    assert retention.below_benchmark


def test_a_previous_year_drop_is_a_reentry_and_a_same_year_return_is_not_counted_twice(
    cohort,
) -> None:
    first = period(cohort, "2024-03-01", "2024-05-01", PeriodEnd.WITHDRAWN)
    period(cohort, "2024-09-01", reentry_after="2024-05-01", student=first.student)  # RE, EE
    same = period(cohort, "2024-07-15", "2024-08-01", PeriodEnd.WITHDRAWN)  # NS
    period(
        cohort, "2024-10-01", "2025-03-01", PeriodEnd.GRADUATED, "2024-08-01", same.student
    )  # same-year return: G, not in the denominator
    counted = terms()
    assert (counted.be, counted.ns, counted.re, counted.ee, counted.g) == (0, 1, 1, 1, 1)
    assert outcome_report(year=YEAR).overall.retention.rate == 100


def test_students_on_externship_or_leave_count_as_enrolled(cohort) -> None:
    on_leave = StudentFactory(cohort=cohort)
    period(cohort, "2024-03-01", student=on_leave)
    leave_start(
        student=on_leave,
        starts_on=D("2025-05-01"),
        expected_return_on=None,
        reason="Surgery",
        actor=None,
    )
    placed = ExternshipFactory(student__cohort=cohort).student
    placed.stage = StudentStage.EXTERNSHIP
    placed.save()
    period(cohort, "2024-03-01", student=placed)
    on_leave.refresh_from_db()
    assert on_leave.stage == StudentStage.ON_LEAVE
    assert (terms().be, terms().ee) == (2, 2)


def test_placement_counts_in_field_and_related_once_and_leaves_out_the_unavailable(
    cohort,
) -> None:
    place(graduate(cohort), "in_field")
    place(graduate(cohort), "related")
    both = graduate(cohort)
    place(both, "in_field")
    place(both, "related")  # in field wins: F, never also R
    place(graduate(cohort), "out_of_field")  # not placed
    graduate(cohort)  # still looking
    unavailable = graduate(cohort)
    Unavailability.objects.create(
        student=unavailable, reason="health", documented_on=D("2024-12-01"), evidence_note="x"
    )
    place(unavailable, "in_field")  # documented unavailable: out of both numerator and denominator
    place(StudentFactory(cohort=cohort), "in_field")  # placed but no graduate of the year
    counted = terms()
    assert (counted.g, counted.f, counted.r, counted.u) == (6, 2, 1, 1)
    placement = outcome_report(year=YEAR).overall.placement
    assert (placement.numerator, placement.denominator, placement.rate) == (3, 5, 60)


def test_credential_counts_each_graduate_once_and_a_second_attempt_pass_as_passed(
    cohort,
) -> None:
    sit(graduate(cohort), "failed", "passed")
    sit(graduate(cohort), "passed")
    sit(graduate(cohort), "failed", "failed")
    sit(graduate(cohort), "no_show")  # did not sit
    sit(graduate(cohort), "scheduled")  # not yet
    sit(StudentFactory(cohort=cohort), "passed")  # not a graduate of the year
    credential = outcome_report(year=YEAR).overall.credential
    assert (credential.numerator, credential.denominator, credential.rate) == (2, 3, 67)


def test_an_empty_cohort_reads_n_a_and_halves_round_up(cohort, admin_user) -> None:
    report = outcome_report(year=YEAR, cohort=cohort)
    [row] = report.rows
    assert row.cohort == cohort
    assert all(rate.rate is None and not rate.below_benchmark for rate in row.rates.values())
    for _ in range(8):
        graduate(cohort)  # 8 graduates, one with a pass
    sit(cohort.students.first(), "passed")
    for student in cohort.students.all()[1:]:
        sit(student, "failed")
    assert outcome_report(year=YEAR).overall.credential.rate == 13  # 12.5%


def test_the_benchmarks_are_settings(cohort, settings) -> None:
    settings.OUTCOME_BENCHMARKS = {"retention": 100, "placement": 0, "credential": 70}
    period(cohort, "2024-08-01", "2024-09-01", PeriodEnd.WITHDRAWN)
    period(cohort, "2024-08-01")
    report = outcome_report(year=YEAR)
    assert report.benchmarks["retention"] == 100
    assert report.overall.retention.rate == 50
    assert report.overall.retention.below_benchmark


def mixed_school():
    """Two programs, three cohorts, every kind of period and career record."""
    ma = CohortFactory(program=ProgramFactory(slug="ma", name="MA"), starts_on=D("2024-03-01"))
    phleb = CohortFactory(starts_on=D("2024-08-01"), ends_on=D("2024-09-01"))
    later = CohortFactory(program=phleb.program, starts_on=D("2025-01-01"))
    for cohort in (ma, phleb, later):
        started = str(max(cohort.starts_on, D("2024-03-01")))
        period(cohort, started)
        sit(graduate(cohort), "failed", "passed")
        place(graduate(cohort), "related")
        left = str(D(started) + timedelta(days=30))
        gone = period(cohort, started, left, PeriodEnd.WITHDRAWN)
        period(cohort, "2025-03-01", reentry_after=left, student=gone.student)
    return ma, phleb, later


def test_the_drill_down_lists_exactly_the_periods_behind_each_figure() -> None:
    ma, phleb, _ = mixed_school()
    for filters in ({}, {"program": phleb.program}, {"cohort": ma}):
        report = outcome_report(year=YEAR, **filters)
        for figure in FIGURES:
            if "_" in figure:
                rate, part = figure.split("_")
                expected = getattr(report.overall.rates[rate], part)
            else:
                expected = getattr(report.overall.terms, figure)
            assert figure_periods(year=YEAR, figure=figure, **filters).count() == expected, figure


def test_program_totals_add_up_their_cohorts() -> None:
    mixed_school()
    report = outcome_report(year=YEAR)
    assert [(t.program.slug, t.terms.g) for t in report.totals] == [("ma", 2), ("phlebotomy", 4)]
    assert sum((t.terms for t in report.totals), Terms()) == report.overall.terms
    assert len(report.rows) == 3


def test_the_report_costs_two_queries_for_few_or_many_students() -> None:
    mixed_school()
    with CaptureQueriesContext(connection) as few:
        outcome_report(year=YEAR)
    for _ in range(3):
        mixed_school()
    with CaptureQueriesContext(connection) as many:
        report = outcome_report(year=YEAR)
    assert report.overall.terms.g == 24
    # The grouped count over enrollment periods, then the cohorts with their programs.
    assert len(few) == len(many) == 2
