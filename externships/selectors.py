"""Progress against the clinical requirements, from approved logs only; an approved correction
replaces the log it corrects.

One selector serves the API, `/me/`, the coach's view and the PDFs, at a fixed number of queries
for any number of students."""

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import Role, User
from enrollment.models import Student
from externships.models import (
    Externship,
    ExternshipStatus,
    HourLog,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
    Requirement,
    RequirementKind,
    Site,
)
from externships.rules import Evidence, Line, Rule, rule_for


@dataclass(slots=True)
class RequirementProgress:
    requirement: Requirement
    lines: list[Line]

    @property
    def met(self) -> bool:
        return all(line.met for line in self.lines)


@dataclass(slots=True)
class Progress:
    student: Student
    edition: str
    requirements: list[RequirementProgress]

    @property
    def complete(self) -> bool:
        return bool(self.requirements) and all(r.met for r in self.requirements)

    @property
    def missing(self) -> list[str]:
        """What is still to do, in words, one line of a requirement each ("8 hours to go")."""
        return [line.missing for r in self.requirements for line in r.lines if not line.met]


def progress_for(students: Iterable[Student]) -> dict[int, Progress]:
    """Progress for each student, by student id (two queries whatever the number of students:
    the editions' requirements, then the evidence they count).

    Students need `requirement_set` loaded (select_related) for the edition's name."""
    students = list(students)
    using = (students[0]._state.db if students else None) or DEFAULT_DB_ALIAS
    editions: dict[int | None, str] = {}
    for student in students:  # the edition's descriptor read once per set, not per student
        if student.requirement_set_id not in editions:
            requirement_set = student.requirement_set
            editions[student.requirement_set_id] = (
                str(requirement_set.edition) if requirement_set else ""
            )
    rules = requirement_rules(editions.keys(), using)
    parts = {PARTS[r.kind] for set_rules in rules.values() for r, _ in set_rules}
    evidence = approved_evidence([s.pk for s in students], using, parts)
    nothing = Evidence()
    progress = {}
    for student in students:
        pk, set_id = student.pk, student.requirement_set_id
        work = evidence.get(pk, nothing)
        progress[pk] = Progress(
            student,
            editions[set_id],
            [RequirementProgress(r, rule(work)) for r, rule in rules.get(set_id, ())],
        )
    return progress


# Building and compiling a query through the ORM costs more than running these for 500 students,
# so each is compiled once per database with a placeholder where the ids go; the ids are whole
# numbers, written into the statement, so no parameters need splicing in.
_IDS = "/* ids */ SELECT NULL"


class Compiled:
    """A query, built by `build` from an expression standing for a list of ids (and the variant's
    arguments), compiled once per database and variant, then run with the ids written in."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self.statements: dict[tuple, tuple[str, tuple]] = {}

    def rows(self, ids: Iterable[int], using: str, *variant: object) -> list[tuple]:
        listed = ",".join(str(int(pk)) for pk in ids if pk is not None)
        if not listed:
            return []
        if connections[using].vendor == "postgresql":
            # A list of literals is planned element by element (2 ms for 500 ids, twice); an
            # array is one value.
            listed = f"SELECT unnest('{{{listed}}}'::bigint[])"
        key = (using, *variant)
        if key not in self.statements:
            query = self.build(RawSQL(_IDS, ()), *variant).query
            self.statements[key] = query.get_compiler(using).as_sql()
        sql, params = self.statements[key]
        with connections[using].cursor() as cursor:
            cursor.execute(sql.replace(_IDS, listed), params)
            return cursor.fetchall()


# What each kind of requirement counts: approved hours, successful procedures of a plain kind,
# or cases and competencies, which are told apart by their details.
DETAILED = [ProcedureKind.SURGICAL_CASE, ProcedureKind.COMPETENCY]
COUNTED = [kind for kind in ProcedureKind if kind not in DETAILED]
PARTS = {
    RequirementKind.HOURS: "hours",
    RequirementKind.PROCEDURES: "counted",
    RequirementKind.COMPETENCIES: "detailed",
    RequirementKind.SURGICAL_CASES: "detailed",
}
DETAILS = ["kind", "specialty", "role", "competency", "total"]


def _evidence_query(student_ids: Expression, parts: frozenset[str]) -> QuerySet:
    """Rows of (student, minutes, one count per COUNTED kind, kind, its details, total): one per
    student with "hours" as its kind, one per student with its counts and no kind, and one per
    DETAILED kind and details; the parts no requirement needs are left out. Hours and counted
    procedures are grouped by student alone, which keeps them as cheap as a hand-written
    aggregate."""
    student, blank, zero = "externship__student_id", Value(""), Value(0)
    no_counts = {f"n_{kind}": zero for kind in COUNTED}
    no_details = {f"d_{name}": blank for name in DETAILS[:-1]} | {"d_total": zero}
    queries = []
    if "hours" in parts:
        hours = no_details | {"d_kind": Value("hours")}  # the row says what it holds
        queries.append(
            approved(HourLog, student_ids)
            .values(student)
            .annotate(n_minutes=Sum("minutes"), **no_counts, **hours)
            .values_list(student, "n_minutes", *no_counts, *hours)
        )
    if "counted" in parts:
        counts = {f"n_{k}": Coalesce(Sum("count", filter=Q(kind=k)), 0) for k in COUNTED}
        queries.append(
            approved(ProcedureLog, student_ids)
            .filter(successful=True, kind__in=COUNTED)
            .values(student)
            .annotate(n_minutes=zero, **counts, **no_details)
            .values_list(student, "n_minutes", *counts, *no_details)
        )
    if "detailed" in parts:
        # A case counts whether or not it went well; a competency only when it did.
        queries.append(
            approved(ProcedureLog, student_ids)
            .filter(kind__in=DETAILED)
            .filter(Q(successful=True) | Q(kind=ProcedureKind.SURGICAL_CASE))
            .values(student, *DETAILS[:-1])
            .annotate(n_minutes=zero, **no_counts, total=Sum("count"))
            .values_list(student, "n_minutes", *no_counts, *DETAILS)
        )
    first, *rest = queries
    return first.union(*rest, all=True) if rest else first


_evidence = Compiled(_evidence_query)


def approved_evidence(
    student_ids: list[int], using: str = DEFAULT_DB_ALIAS, parts: Iterable[str] = PARTS.values()
) -> dict[int, Evidence]:
    """Approved hours and procedures summed per student in one query (only the `parts` asked
    for), procedures by what the rules tell apart; a log with an approved correction gives way
    to it."""
    parts = frozenset(parts)
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    if not parts:
        return evidence
    for student_id, minutes, *counts, kind, specialty, role, competency, total in _evidence.rows(
        student_ids, using, parts
    ):
        work = evidence[student_id]
        if kind == "hours":
            work.minutes = minutes
        elif kind:
            work.add_procedure(kind, total, True, specialty, role, competency)
        else:
            work.procedures.update(zip(COUNTED, counts, strict=True))
    return evidence


def approved(model: type[HourLog] | type[ProcedureLog], student_ids: Expression) -> QuerySet:
    """The students' approved logs, less those replaced by an approved correction."""
    return (
        model.objects.filter(externship__student_id__in=student_ids, status=LogStatus.APPROVED)
        .exclude(corrections__status=LogStatus.APPROVED)
        .order_by()
    )


_RULE_FIELDS = [field.attname for field in Requirement._meta.concrete_fields]
_requirements = Compiled(
    lambda set_ids: Requirement.objects.filter(requirement_set_id__in=set_ids).values_list(
        *_RULE_FIELDS
    )
)


def requirement_rules(
    set_ids: Iterable[int | None], using: str = DEFAULT_DB_ALIAS
) -> dict[int, list[tuple[Requirement, Rule]]]:
    """Each requirement set's requirements in order, with their rules ready to measure."""
    params = Requirement._meta.get_field("params")
    rules: dict[int, list[tuple[Requirement, Rule]]] = defaultdict(list)
    for row in _requirements.rows(set_ids, using):
        requirement = Requirement.from_db(using, _RULE_FIELDS, row)
        requirement.params = params.from_db_value(requirement.params, None, connections[using])
        rules[requirement.requirement_set_id].append((requirement, rule_for(requirement)))
    return rules


def visible_students(user: User) -> QuerySet[Student]:
    """Students a user may see: admins all, a coach their caseload, a student themself."""
    students = Student.objects.select_related("user", "cohort__program", "coach", "requirement_set")
    if user.has_role(Role.ADMIN):
        return students
    if user.has_role(Role.COACH):
        return students.filter(coach=user)
    return students.filter(user=user)


def readable(externships: QuerySet, user: User, path: str = "") -> QuerySet:
    """Narrow `externships` (or logs, with `path="externship__"`) to what `user` may read: admins
    all, a coach their caseload, a supervisor their sites, a student their own."""
    if user.has_role(Role.ADMIN):
        return externships
    rules = []
    if user.has_role(Role.COACH):
        rules.append(Q(**{f"{path}student__coach": user}))
    if user.has_role(Role.SUPERVISOR):
        # A subquery, not a join over the site's supervisors, so no row comes back twice.
        at_their_sites = Q(**{f"{path}site__in": Site.objects.filter(supervisors=user)})
        rules.append(at_their_sites | Q(**{f"{path}supervisor": user}))
    if user.has_role(Role.STUDENT):
        rules.append(Q(**{f"{path}student__user": user}))
    return externships.filter(reduce(operator.or_, rules)) if rules else externships.none()


def student_logs(student: Student) -> list[HourLog | ProcedureLog]:
    """A student's hour and procedure logs, newest day first (two queries)."""
    logs = [
        log
        for model in (HourLog, ProcedureLog)
        for log in model.objects.filter(externship__student=student).select_related(
            "externship__site"
        )
    ]
    return sorted(logs, key=lambda log: (log.date, log.submitted_at), reverse=True)


def active_externship(student: Student) -> Externship | None:
    """The placement under way: the earliest active one (a later one has not started yet)."""
    return (
        student.externships.filter(status=ExternshipStatus.ACTIVE)
        .select_related("site", "supervisor")
        .order_by("starts_on", "id")
        .first()
    )
