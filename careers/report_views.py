"""The outcome report pages, for admins: the table with charts, its CSV file, and the students
behind any figure. They read `careers.reports`; the charts are inline SVG drawn here."""

import csv
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from careers.report_forms import FigureFilterForm, OutcomeFilterForm
from careers.reports import (
    FIGURE_LABELS,
    RATES,
    TERMS,
    OutcomeReport,
    OutcomeRow,
    WageDistribution,
    figure_periods,
    outcome_report,
    report_table,
    wage_distributions,
)

PER_PAGE = 50
CHART_HEIGHT = 160  # the plot area, in SVG units; 100% is its full height


def _require_admin(request: HttpRequest) -> None:
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    below: bool = False


@dataclass(frozen=True)
class Chart:
    title: str
    width: float
    height: float
    bars: list[Bar]
    line_y: float | None  # the benchmark (rates) or reference median (wages)
    line_x: float | None
    line_label: str


def _rate_charts(report: OutcomeReport) -> list[Chart]:
    """One bar chart per rate: a bar per cohort, a dashed line at the benchmark."""
    step, width = 36, 24
    charts = []
    for name in RATES:
        benchmark = report.benchmarks[name]
        bars = []
        for n, row in enumerate(report.rows):
            rate = row.rates[name]
            height = CHART_HEIGHT * (rate.rate or 0) / 100
            bars.append(
                Bar(
                    x=40 + n * step,
                    y=20 + CHART_HEIGHT - height,
                    width=width,
                    height=height,
                    label=f"{row.program.name} · {row.cohort.name}",
                    value="n/a" if rate.rate is None else f"{rate.rate}%",
                    below=rate.below_benchmark,
                )
            )
        charts.append(
            Chart(
                title=f"{name.capitalize()} rate by cohort",
                width=max(200, 60 + len(bars) * step),
                height=CHART_HEIGHT + 40,
                bars=bars,
                line_y=20 + CHART_HEIGHT * (1 - benchmark / 100),
                line_x=None,
                line_label=f"benchmark {benchmark}%",
            )
        )
    return charts


def _wage_chart(distribution: WageDistribution) -> Chart:
    """A histogram of hourly wages in one-dollar bins, a dashed line at the reference median."""
    reference = distribution.reference
    median = reference.hourly_median_cents / 100 if reference else None
    dollars = [b.dollars for b in distribution.bins]
    low = min([*dollars, int(median or dollars[0])]) - 1
    high = max([*dollars, int(median or dollars[0])]) + 2
    step = 28
    tallest = max(b.count for b in distribution.bins)
    bars = [
        Bar(
            x=40 + (b.dollars - low) * step,
            y=20 + CHART_HEIGHT * (1 - b.count / tallest),
            width=step - 2,
            height=CHART_HEIGHT * b.count / tallest,
            label=f"${b.dollars} to ${b.dollars + 1}/h",
            value=str(b.count),
        )
        for b in distribution.bins
    ]
    return Chart(
        title=f"{distribution.program.name}: hourly wages of placed graduates",
        width=80 + (high - low) * step,
        height=CHART_HEIGHT + 40,
        bars=bars,
        line_y=None,
        line_x=40 + (median - low) * step if median else None,
        line_label=(
            f"reference median ${median:.2f}/h ({reference.year})" if reference else "no reference"
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
    form = OutcomeFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "terms": TERMS, "rates": RATES}
    if not form.is_valid():
        return render(request, "careers/outcomes.html", context, status=400)
    filters = form.cleaned_data
    report = outcome_report(**filters)
    wages = wage_distributions(**filters)
    context.update(
        report=report,
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
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{report.year}.csv"'
    csv.writer(response).writerows(report_table(report))
    return response


@login_required
def outcome_students(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = FigureFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "careers/outcome_students.html", {"form": form}, status=400)
    periods = figure_periods(**form.cleaned_data)
    page = Paginator(periods, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": form.cleaned_data,
        "label": FIGURE_LABELS[form.cleaned_data["figure"]],
        "page": page,
        "query": _query(form.cleaned_data) + f"&figure={form.cleaned_data['figure']}",
    }
    return render(request, "careers/outcome_students.html", context)
