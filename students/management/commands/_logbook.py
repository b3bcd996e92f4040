"""A graduate's log book for the demo data: the clinical work that meets one edition of a
program's requirements, read from the requirements' numbers (see `externships.rules`), so a
graduate of an edited edition still meets it. Whether it does is the progress selector's to say;
the seed's tests ask it for every graduate.

Graduates of earlier classes get theirs written in bulk, already approved with the decision kept:
thousands of synthetic graduates would take minutes through the logging services, whose checks
(and review emails) are for logs still to be decided.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from accounts.models import User
from externships.models import (
    DecisionVia,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
    Requirement,
    RequirementKind,
    ScrubRole,
)
from externships.rules import GENERAL_SURGERY, SECOND_SCRUB_ONLY, SPECIALTIES
from externships.services import worked_minutes

SHIFT = (time(8, 0), time(16, 30), 30)  # start, end, break minutes: eight hours worked
SHIFT_HOURS = 8
A_DAY = 10  # procedures or cases logged on one day at most


@dataclass(frozen=True)
class LogBook:
    """Eight-hour shifts, and procedure logs as (kind, count, specialty, role, competency)."""

    shifts: int = 0
    procedures: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Working days it takes: a shift a day, with that day's procedures signed off too."""
        return max(self.shifts, len(self.procedures))


def log_book(requirements: Iterable[Requirement]) -> LogBook:
    """The shifts and procedures that meet every one of the requirements."""
    shifts, procedures = 0, []
    for requirement in requirements:
        params = requirement.params
        if requirement.kind == RequirementKind.HOURS:
            shifts = max(shifts, -(-params["hours"] // SHIFT_HOURS))
        elif requirement.kind == RequirementKind.PROCEDURES:
            procedures += runs(params["procedure"], params["count"])
        elif requirement.kind == RequirementKind.COMPETENCIES:
            procedures += [(ProcedureKind.COMPETENCY, 1, "", "", item) for item in params["items"]]
        elif requirement.kind == RequirementKind.SURGICAL_CASES:
            procedures += case_book(params)
    return LogBook(shifts, procedures)


def runs(
    kind: str, count: int, specialty: str = "", role: str = ""
) -> list[tuple[str, int, str, str, str]]:
    """`count` procedures of one kind, at most A_DAY a log."""
    return [(kind, min(A_DAY, count - n), specialty, role, "") for n in range(0, count, A_DAY)]


def case_book(rules: dict) -> list[tuple[str, int, str, str, str]]:
    """Surgical cases meeting the case rules: general surgery's first and second scrub cases,
    then the specialties' (each with its first scrub minimum, the rest of the specialty total as
    second scrub), and more first scrub general cases where the second scrub cap leaves the
    total or the first scrub count short."""
    general, other = rules["general"], rules["specialties"]
    names = [s for s in SPECIALTIES if s != GENERAL_SURGERY and s not in SECOND_SCRUB_ONLY]
    names = names[: other["count"]]
    each = max(other["each_first_scrub"], -(-other["first_scrub"] // len(names)))
    other_second = max(0, other["total"] - each * len(names))
    general_second = max(0, general["total"] - general["first_scrub"])
    first = general["first_scrub"] + each * len(names)
    counted = first + min(general_second + other_second, rules["second_scrub_max"])
    general_first = general["first_scrub"] + max(
        0, rules["total"] - counted, rules["first_scrub"] - first
    )
    cases = runs(ProcedureKind.SURGICAL_CASE, general_first, GENERAL_SURGERY, ScrubRole.FIRST_SCRUB)
    cases += runs(
        ProcedureKind.SURGICAL_CASE, general_second, GENERAL_SURGERY, ScrubRole.SECOND_SCRUB
    )
    for n, name in enumerate(names):
        second = other_second // len(names) + (n < other_second % len(names))
        cases += runs(ProcedureKind.SURGICAL_CASE, each, name, ScrubRole.FIRST_SCRUB)
        cases += runs(ProcedureKind.SURGICAL_CASE, second, name, ScrubRole.SECOND_SCRUB)
    return cases


def logged_days(graduated: date, book: LogBook) -> tuple[date, ...]:
    """The working days a graduate's log book took: the last ones before graduation day."""
    return weekdays_before(graduated, book.days)


@cache  # thousands of synthetic graduates share a few hundred graduation days
def weekdays_before(day: date, count: int) -> tuple[date, ...]:
    days = []
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return tuple(reversed(days))


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def write_approved_logs(placements: list[tuple[int, LogBook, date]], by: User) -> None:
    """Each placement's log book, as (externship id, log book, graduation day): a log on each of
    its working days (see `logged_days`), approved by `by` that evening."""
    adapt = connection.ops
    start, end, pause = SHIFT
    shift = (
        adapt.adapt_timefield_value(start),
        adapt.adapt_timefield_value(end),
        pause,
        worked_minutes(start, end, pause),
        "Supervised clinical work.",
    )
    days: dict[date, tuple] = {}  # a day as the database takes it, with its submit and approval

    def logged(day: date) -> tuple:
        if day not in days:
            days[day] = (
                adapt.adapt_datefield_value(day),
                adapt.adapt_datetimefield_value(at(day, 17)),
                adapt.adapt_datetimefield_value(at(day, 18)),
            )
        return days[day]

    approved = ("", LogStatus.APPROVED, "")  # notes, status, decision reason
    hours, procedures = [], []
    for externship, book, graduated in placements:
        on = [logged(day) for day in logged_days(graduated, book)]
        hours += ((externship, *day, *approved, *shift) for day in on[: book.shifts])
        procedures += (
            (externship, *day, *approved, *procedure, True)
            for day, procedure in zip(on, book.procedures, strict=False)
        )
    common = ("externship_id", "date", "submitted_at", "decided_at", "notes", "status")
    common += ("decision_reason",)
    for model, columns, rows in [
        (HourLog, ("start_time", "end_time", "break_minutes", "minutes", "activities"), hours),
        (
            ProcedureLog,
            ("kind", "count", "specialty", "role", "competency", "successful"),
            procedures,
        ),
    ]:
        if rows:
            newest = model.objects.aggregate(newest=Max("pk"))["newest"] or 0
            insert_rows(model, common + columns, rows)
            approve_inserted(model, newest, by)


def insert_rows(model: type[Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows written with one executemany, their values already as the database takes them:
    bulk_create spent most of a 10,000-student seed building and preparing the logs' models."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})", rows
        )


def approve_inserted(model: type[HourLog] | type[ProcedureLog], after: int, by: User) -> None:
    """The approval decision of each log inserted after id `after`, written in the database."""
    decisions = LogDecision._meta
    log = decisions.get_field("hour_log" if model is HourLog else "procedure_log").column
    columns = [log, "decision", "reason", "decided_by_id", "via", "at"]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(decisions.db_table)} ({', '.join(map(quote, columns))}) "
            f"SELECT id, %s, '', %s, %s, decided_at FROM {quote(model._meta.db_table)} "
            "WHERE id > %s",
            [LogStatus.APPROVED, by.pk, DecisionVia.LOGIN, after],
        )
