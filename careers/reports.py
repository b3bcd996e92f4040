"""Outcome reports by the ABHES definitions: retention, placement and credential pass rates per
cohort, program and overall, for a reporting year (July 1 to June 30).

Every figure is a condition on an enrollment period, written once in `figure_conditions()`: the
report counts the periods that meet each condition in one grouped query, and the drill-down lists
the very same periods, so a number and the students behind it cannot disagree."""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from careers.models import (
    SAT_RESULTS,
    Classification,
    ExamAttempt,
    ExamResult,
    JobPlacement,
    ReferencePay,
    Unavailability,
)
from enrollment.models import Cohort, EnrollmentPeriod, PeriodEnd, Program

# The raw terms, in the order reports and CSV files show them.
TERMS = ("be", "ns", "re", "ee", "g", "f", "r", "u", "sat", "passed")
RATES = ("retention", "placement", "credential")
# Each rate's numerator and denominator as unions of terms (the terms of each are disjoint).
RATE_PARTS = {
    "retention": (("ee", "g"), ("be", "ns", "re")),
    "placement": (("f", "r"), ("g", "-u")),
    "credential": (("passed",), ("sat",)),
}
FIGURES = (
    *TERMS,
    *(f"{rate}_{part}" for rate in RATES for part in ("numerator", "denominator")),
)
FIGURE_LABELS = {
    "be": "Beginning enrollment (BE): enrolled on July 1",
    "ns": "New starts (NS)",
    "re": "Re-entries (RE): dropped in an earlier year, back this year",
    "ee": "Ending enrollment (EE): enrolled on June 30",
    "g": "Graduates (G)",
    "f": "Graduates placed in the field (F)",
    "r": "Graduates placed in a related field (R)",
    "u": "Graduates unavailable for employment (U)",
    "sat": "Graduates who sat the credential exam",
    "passed": "Graduates who passed the credential exam",
    "retention_numerator": "Retention numerator: EE + G",
    "retention_denominator": "Retention denominator: BE + NS + RE",
    "placement_numerator": "Placement numerator: F + R",
    "placement_denominator": "Placement denominator: G - U",
    "credential_numerator": "Credential numerator: graduates who passed",
    "credential_denominator": "Credential denominator: graduates who sat",
}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_bounds(year: int) -> tuple[date, date]:
    """Reporting year `year` runs from July 1 `year` to June 30 `year + 1`, both included."""
    return date(year, 7, 1), date(year + 1, 6, 30)


def year_label(year: int) -> str:
    """A reporting year as schools write it, on every page: "2025-26"."""
    return f"{year}-{(year + 1) % 100:02d}"


def reporting_year_of(day: date) -> int:
    return day.year if day.month >= 7 else day.year - 1


def reporting_years() -> list[int]:
    """The reporting years that hold any enrollment, newest first, up to the current one (the
    years the page offers to choose from); one query."""
    current = reporting_year_of(timezone.localdate())
    span = EnrollmentPeriod.objects.aggregate(
        first=Min("started_on"),
        last=Max("ended_on"),
        open=Count("pk", filter=Q(ended_on__isnull=True)),
    )
    if span["first"] is None:
        return []
    last = current if span["open"] else min(current, reporting_year_of(span["last"]))
    first = min(reporting_year_of(span["first"]), last)
    return list(range(last, first - 1, -1))


def figure_conditions(year: int) -> dict[str, Q]:
    """Each figure as a condition on an EnrollmentPeriod, for reporting year `year`. A year in
    progress reads as of today: a period that has not begun yet is no start."""
    start, end = year_bounds(year)
    begun = min(end, timezone.localdate())
    student = OuterRef("student")
    in_field = Exists(
        JobPlacement.objects.filter(student=student, classification=Classification.IN_FIELD)
    )
    related = Exists(
        JobPlacement.objects.filter(student=student, classification=Classification.RELATED)
    )
    unavailable = Exists(Unavailability.objects.filter(student=student))
    sat = Exists(ExamAttempt.objects.filter(student=student, result__in=SAT_RESULTS))
    passed = Exists(ExamAttempt.objects.filter(student=student, result=ExamResult.PASSED))
    started_in_year = Q(started_on__gte=start, started_on__lte=begun)
    graduated = Q(end_reason=PeriodEnd.GRADUATED, ended_on__gte=start, ended_on__lte=end)
    # A documented-unavailable graduate leaves the placement figures altogether, so that the
    # numerator stays within its denominator (G - U).
    available = graduated & ~Q(unavailable)
    terms = {
        "be": Q(started_on__lt=start) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start)),
        "ns": started_in_year & Q(reentry_after__isnull=True),
        # A return within the same year is no re-entry: the earlier period already counts.
        "re": started_in_year & Q(reentry_after__lt=start),
        "ee": Q(started_on__lte=begun) & (Q(ended_on__isnull=True) | Q(ended_on__gt=end)),
        "g": graduated,
        "f": available & Q(in_field),
        # In field wins over related, so that F and R never count one graduate twice.
        "r": available & Q(related) & ~Q(in_field),
        "u": graduated & Q(unavailable),
        "sat": graduated & Q(sat),
        "passed": graduated & Q(passed),
    }
    unions = {
        "retention_numerator": terms["ee"] | terms["g"],
        "retention_denominator": terms["be"] | terms["ns"] | terms["re"],
        "placement_numerator": terms["f"] | terms["r"],
        "placement_denominator": available,
        "credential_numerator": terms["passed"],
        "credential_denominator": terms["sat"],
    }
    return {**terms, **unions}


def _touching(year: int) -> Q:
    """Periods that overlap the year: every figure is among them."""
    start, end = year_bounds(year)
    begun = min(end, timezone.localdate())
    return Q(started_on__lte=begun) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))


def _scoped(program: Program | None, cohort: Cohort | None) -> QuerySet[EnrollmentPeriod]:
    periods = EnrollmentPeriod.objects.all()
    if program is not None:
        periods = periods.filter(cohort__program=program)
    if cohort is not None:
        periods = periods.filter(cohort=cohort)
    return periods


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    benchmark: int

    @property
    def rate(self) -> int | None:
        """Whole percent, halves rounded up; None (shown "n/a") for an empty denominator."""
        if not self.denominator:
            return None
        return (200 * self.numerator + self.denominator) // (2 * self.denominator)

    @property
    def below_benchmark(self) -> bool:
        return self.rate is not None and self.rate < self.benchmark


@dataclass(frozen=True)
class Terms:
    be: int = 0
    ns: int = 0
    re: int = 0
    ee: int = 0
    g: int = 0
    f: int = 0
    r: int = 0
    u: int = 0
    sat: int = 0
    passed: int = 0

    def __add__(self, other: "Terms") -> "Terms":
        return Terms(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def part(self, names: Iterable[str]) -> int:
        return sum(-getattr(self, n[1:]) if n.startswith("-") else getattr(self, n) for n in names)


@dataclass(frozen=True)
class OutcomeRow:
    """One line of the report: a cohort, a program's total (cohort None) or the overall total
    (both None)."""

    program: Program | None
    cohort: Cohort | None
    terms: Terms
    benchmarks: dict[str, int]

    def _rate(self, name: str) -> Rate:
        numerator, denominator = RATE_PARTS[name]
        return Rate(self.terms.part(numerator), self.terms.part(denominator), self.benchmarks[name])

    @property
    def retention(self) -> Rate:
        return self._rate("retention")

    @property
    def placement(self) -> Rate:
        return self._rate("placement")

    @property
    def credential(self) -> Rate:
        return self._rate("credential")

    @property
    def rates(self) -> dict[str, Rate]:
        return {name: self._rate(name) for name in RATES}


@dataclass(frozen=True)
class OutcomeReport:
    year: int
    starts_on: date
    ends_on: date
    benchmarks: dict[str, int]
    program: Program | None
    cohort: Cohort | None
    rows: list[OutcomeRow]
    totals: list[OutcomeRow]
    overall: OutcomeRow


def outcome_benchmarks() -> dict[str, int]:
    return dict(settings.OUTCOME_BENCHMARKS)


def outcome_report(
    *, year: int, program: Program | None = None, cohort: Cohort | None = None
) -> OutcomeReport:
    """Per-cohort rows, per-program totals and the overall total; two queries whatever the
    number of students (the grouped count, then the cohorts with their programs)."""
    conditions = figure_conditions(year)
    counts = (
        _scoped(program, cohort)
        .filter(_touching(year))
        .order_by()
        .values("cohort")
        .annotate(**{term: Count("pk", filter=conditions[term]) for term in TERMS})
    )
    terms = {row.pop("cohort"): Terms(**row) for row in counts}
    wanted = Q(pk__in=terms) | Q(pk=cohort.pk) if cohort is not None else Q(pk__in=terms)
    cohorts = (
        Cohort.objects.filter(wanted)
        .select_related("program")
        .order_by("program__name", "starts_on", "name", "pk")
    )
    benchmarks = outcome_benchmarks()
    rows = [OutcomeRow(c.program, c, terms.get(c.pk, Terms()), benchmarks) for c in cohorts]
    programs = {row.program.pk: row.program for row in rows}
    if program is not None:
        programs.setdefault(program.pk, program)
    totals = [
        OutcomeRow(
            p,
            None,
            sum((row.terms for row in rows if row.program.pk == p.pk), Terms()),
            benchmarks,
        )
        for p in sorted(programs.values(), key=lambda p: (p.name, p.pk))
    ]
    overall = OutcomeRow(None, None, sum((row.terms for row in rows), Terms()), benchmarks)
    start, end = year_bounds(year)
    return OutcomeReport(year, start, end, benchmarks, program, cohort, rows, totals, overall)


def figure_periods(
    *, year: int, figure: str, program: Program | None = None, cohort: Cohort | None = None
) -> QuerySet[EnrollmentPeriod]:
    """The enrollment periods (one per student counted) behind one figure of the report."""
    return (
        _scoped(program, cohort)
        .filter(figure_conditions(year)[figure])
        .select_related("student__user", "cohort__program")
        .order_by("student__user__last_name", "student__user__first_name", "pk")
    )


def counted_placements(student_ids: Iterable[int]) -> dict[int, JobPlacement]:
    """Each student's placement as the report counts it (in field wins over related, related over
    out of field; then the latest start), with its employer; one query."""
    rank = Case(
        When(classification=Classification.IN_FIELD, then=Value(0)),
        When(classification=Classification.RELATED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    placements = (
        JobPlacement.objects.filter(student__in=list(student_ids))
        .select_related("employer")
        .order_by("student", rank, "-start_date", "-pk")
    )
    chosen: dict[int, JobPlacement] = {}
    for placement in placements:
        chosen.setdefault(placement.student_id, placement)
    return chosen


@dataclass(frozen=True)
class WageBin:
    dollars: int  # the bin holds hourly wages from this many dollars up to the next dollar
    count: int


@dataclass(frozen=True)
class WageDistribution:
    program: Program
    bins: list[WageBin]
    reference: ReferencePay | None


def wage_distributions(
    *, year: int, program: Program | None = None, cohort: Cohort | None = None
) -> list[WageDistribution]:
    """Hourly wages of the placements counted in the year's placement rate (F + R), in one-dollar
    bins per program, beside the program's reference pay; three queries."""
    placed = _scoped(program, cohort).filter(
        figure_conditions(year)["placement_numerator"], student=OuterRef("student")
    )
    bins = (
        JobPlacement.objects.filter(
            Exists(placed),
            classification__in=(Classification.IN_FIELD, Classification.RELATED),
        )
        .annotate(dollars=F("hourly_wage_cents") / 100, program=F("student__cohort__program"))
        .order_by()
        .values("program", "dollars")
        .annotate(count=Count("pk"))
        .order_by("program", "dollars")
    )
    by_program: dict[int, list[WageBin]] = {}
    for row in bins:
        by_program.setdefault(row["program"], []).append(WageBin(row["dollars"], row["count"]))
    if not by_program:
        return []
    references: dict[int, ReferencePay] = {}
    pay = ReferencePay.objects.filter(program__in=by_program).order_by("program", "-year")
    for reference in pay:
        # The newest figures published by the end of the reporting year, else the oldest known.
        chosen = references.get(reference.program_id)
        if chosen is None or chosen.year > year + 1:
            references[reference.program_id] = reference
    programs = {p.pk: p for p in Program.objects.filter(pk__in=by_program)}
    return [
        WageDistribution(programs[pk], bins, references.get(pk))
        for pk, bins in sorted(by_program.items(), key=lambda item: programs[item[0]].name)
    ]


def report_table(report: OutcomeReport) -> list[list[object]]:
    """The report as CSV rows: a header, one row per cohort, then each program's total and the
    overall total; a rate with an empty denominator is "n/a"."""
    header: list[object] = ["level", "program", "cohort_id", "cohort", "year", *TERMS]
    for name in RATES:
        header += [f"{name}_{part}" for part in ("numerator", "denominator", "rate", "below")]
    table = [header]
    lines = [
        *(("cohort", row) for row in report.rows),
        *(("program", row) for row in report.totals),
        ("overall", report.overall),
    ]
    for level, row in lines:
        line: list[object] = [
            level,
            row.program.slug if row.program else "",
            row.cohort.pk if row.cohort else "",
            row.cohort.name if row.cohort else "",
            f"{report.year}-{(report.year + 1) % 100:02d}",
            *(getattr(row.terms, term) for term in TERMS),
        ]
        for rate in row.rates.values():
            shown = "n/a" if rate.rate is None else rate.rate
            below = "below benchmark" if rate.below_benchmark else ""
            line += [rate.numerator, rate.denominator, shown, below]
        table.append(line)
    return table
