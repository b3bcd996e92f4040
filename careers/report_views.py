"""The outcome report pages, for admins: the table with charts, its CSV file, and the students
behind any figure, with each student's placement. They read `careers.reports`; the charts are
laid out here (a labelled row per bar, the bar itself a small inline SVG)."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from backend.spreadsheets import csv_response
from careers.report_forms import FigureFilterForm, OutcomeFilterForm, OutcomePageForm
from careers.reports import (
    FIGURE_LABELS,
    RATES,
    TERMS,
    OutcomeReport,
    OutcomeRow,
    WageDistribution,
    counted_placements,
    figure_periods,
    outcome_report,
    report_table,
    reporting_years,
    wage_distributions,
    year_label,
)

PER_PAGE = 50
WAGE_SPAN = 40  # one-dollar bins a wage chart shows in full, empty ones included


def _require_admin(request: HttpRequest) -> None:
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied


@dataclass(frozen=True)
class Bar:
    """One row of a chart: its label and value in words, and how long its bar is (percent of
    the row's width)."""

    label: str
    value: str
    length: str
    detail: str = ""
    below: bool = False
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: one labelled row per bar, so that no label can overlap another
    at any width; `line` marks the benchmark on every bar (percent of the width)."""

    title: str
    bars: list[Bar]
    line: str | None
    line_label: str


def _percent(value: float) -> str:
    """An SVG length in percent, written the same whatever the locale."""
    return f"{max(0.0, min(100.0, value)):.1f}"


def _rate_charts(report: OutcomeReport) -> list[Chart]:
    """One chart per rate: a bar per cohort, named, with its rate and its fraction."""
    charts = []
    for name in RATES:
        benchmark = report.benchmarks[name]
        bars = []
        for row in report.rows:
            rate = row.rates[name]
            bars.append(
                Bar(
                    label=f"{row.program.name} · {row.cohort.name}",
                    value="n/a" if rate.rate is None else f"{rate.rate}%",
                    length=_percent(rate.rate or 0),
                    detail=f"{rate.numerator} of {rate.denominator}",
                    below=rate.below_benchmark,
                )
            )
        charts.append(
            Chart(
                title=f"{name.capitalize()} rate by cohort",
                bars=bars,
                line=_percent(benchmark),
                line_label=f"Benchmark {benchmark}%: the black line across each bar",
            )
        )
    return charts


def _wage_chart(distribution: WageDistribution) -> Chart:
    """A histogram of hourly wages in one-dollar bins, from the lowest to the highest (only the
    bins with someone in them when they spread wider than WAGE_SPAN dollars), the bin of the
    reference median included and marked."""
    reference = distribution.reference
    median = reference.hourly_median_cents / 100 if reference else None
    counts = {b.dollars: b.count for b in distribution.bins}
    ends = [*counts, *([int(median)] if median is not None else [])]
    tallest = max(counts.values())
    bars = []
    shown = list(range(min(ends), max(ends) + 1))
    if len(shown) > WAGE_SPAN:
        shown = sorted(set(ends))
    for dollars in shown:
        count = counts.get(dollars, 0)
        holds_median = median is not None and int(median) == dollars
        bars.append(
            Bar(
                label=f"${dollars} to ${dollars + 1} an hour",
                value=f"{count} graduate{'' if count == 1 else 's'}",
                length=_percent(100 * count / tallest),
                note=f"The reference median, ${median:.2f} an hour, is in this range."
                if holds_median
                else "",
            )
        )
    return Chart(
        title=f"{distribution.program.name}: hourly wages of placed graduates",
        bars=bars,
        line=None,
        line_label=(
            f"Reference median ${median:.2f} an hour ({reference.year})"
            if reference
            else "No reference pay on record"
        ),
    )


@dataclass(frozen=True)
class Line:
    """A row of the page's tables and where its numbers link: the drill-down of the same scope."""

    level: str
    row: OutcomeRow
    scope: str

    @property
    def terms(self) -> list[tuple[str, int]]:
        return [(term, getattr(self.row.terms, term)) for term in TERMS]


def _lines(report: OutcomeReport) -> list[Line]:
    year = f"year={report.year}"
    return [
        *(Line("cohort", row, f"{year}&cohort={row.cohort.pk}") for row in report.rows),
        *(Line("program", row, f"{year}&program={row.program.slug}") for row in report.totals),
        Line("overall", report.overall, _query(_scope(report))),
    ]


def _scope(report: OutcomeReport) -> dict[str, Any]:
    return {"year": report.year, "program": report.program, "cohort": report.cohort}


@login_required
def outcomes(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = OutcomePageForm(request.GET, years=reporting_years())
    context: dict[str, Any] = {"form": form, "terms": TERMS, "rates": RATES}
    if not form.is_valid():
        return render(request, "careers/outcomes.html", context, status=400)
    filters = form.cleaned_data
    report = outcome_report(**filters)
    wages = wage_distributions(**filters)
    context.update(
        report=report,
        year_label=year_label(report.year),
        query=_query(filters),
        lines=_lines(report),
        rate_charts=_rate_charts(report) if report.rows else [],
        wage_charts=[_wage_chart(d) for d in wages],
    )
    return render(request, "careers/outcomes.html", context)


def _query(filters: dict[str, Any]) -> str:
    """The filters as a query string, for the CSV link."""
    parts = [f"year={filters['year']}"]
    if filters.get("program"):
        parts.append(f"program={filters['program'].slug}")
    if filters.get("cohort"):
        parts.append(f"cohort={filters['cohort'].pk}")
    return "&".join(parts)


@login_required
def outcomes_csv(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = OutcomeFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
            status=400,
            content_type="text/plain",
        )
    report = outcome_report(**form.cleaned_data)
    return csv_response(report_table(report), f"outcomes-{report.year}.csv")


@login_required
def outcome_students(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = FigureFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "careers/outcome_students.html", {"form": form}, status=400)
    periods = figure_periods(**form.cleaned_data)
    page = Paginator(periods, PER_PAGE).get_page(request.GET.get("page"))
    placements = counted_placements(period.student_id for period in page)
    context = {
        "rows": [(period, placements.get(period.student_id)) for period in page],
        "form": form,
        "filters": form.cleaned_data,
        "year_label": year_label(form.cleaned_data["year"]),
        "label": FIGURE_LABELS[form.cleaned_data["figure"]],
        "page": page,
        "query": _query(form.cleaned_data) + f"&figure={form.cleaned_data['figure']}",
    }
    return render(request, "careers/outcome_students.html", context)
