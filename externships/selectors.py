"""Progress against the clinical requirements, from approved logs only; an approved correction
replaces the log it corrects.

One selector serves the API, `/me/`, the coach's view and the PDFs, at a fixed number of queries
for any number of students."""

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet, Sum, Value

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
from externships.rules import WITHOUT_EDITION, Evidence, Line, Loggable, Rule, loggable, rule_for


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
DETAILS = ["specialty", "role", "competency"]
STUDENT = "externship__student_id"


def _evidence_query(student_ids: list[int], parts: frozenset[str]) -> QuerySet:
    """Rows of (student, kind, specialty, role, competency, total), each part grouped by student
    on its own: minutes (kind ""), successful procedures of each COUNTED kind, and cases and
    competencies by their details; the parts no requirement needs are left out."""
    blank = Value("")
    no_details = {f"d_{name}": blank for name in DETAILS}
    procedures = ProcedureLog.objects.counting().filter(**{f"{STUDENT}__any_of": student_ids})
    queries = []
    if "hours" in parts:
        queries.append(
            HourLog.objects.counting()
            .filter(**{f"{STUDENT}__any_of": student_ids})
            .values(STUDENT)
            .annotate(d_kind=blank, **no_details, total=Sum("minutes"))
            .values_list(STUDENT, "d_kind", *no_details, "total")
        )
    if "counted" in parts:
        queries.append(
            procedures.filter(kind__in=COUNTED, successful=True)
            .values(STUDENT, "kind")
            .annotate(**no_details, total=Sum("count"))
            .values_list(STUDENT, "kind", *no_details, "total")
        )
    if "detailed" in parts:
        # A case counts whether or not it went well; a competency only when it did.
        queries.append(
            procedures.filter(kind__in=DETAILED)
            .filter(Q(successful=True) | Q(kind=ProcedureKind.SURGICAL_CASE))
            .values(STUDENT, "kind", *DETAILS)
            .annotate(total=Sum("count"))
            .values_list(STUDENT, "kind", *DETAILS, "total")
        )
    first, *rest = [query.order_by() for query in queries]
    return first.union(*rest, all=True) if rest else first


def approved_evidence(
    student_ids: list[int], using: str = DEFAULT_DB_ALIAS, parts: Iterable[str] = PARTS.values()
) -> dict[int, Evidence]:
    """Counting hours and procedures summed per student in one query (only the `parts` asked
    for), procedures by what the rules tell apart; a log with an approved correction gives way
    to it (see `ClinicalLogQuerySet.counting`)."""
    parts = frozenset(parts)
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    if not parts:
        return evidence
    for student_id, kind, specialty, role, competency, total in _evidence_query(
        student_ids, parts
    ).using(using):
        if kind:
            evidence[student_id].add_procedure(kind, total, True, specialty, role, competency)
        else:
            evidence[student_id].minutes = total
    return evidence


def requirement_rules(
    set_ids: Iterable[int | None], using: str = DEFAULT_DB_ALIAS
) -> dict[int, list[tuple[Requirement, Rule]]]:
    """Each requirement set's requirements in order, with their rules ready to measure."""
    rules: dict[int, list[tuple[Requirement, Rule]]] = defaultdict(list)
    for requirement in Requirement.objects.using(using).filter(requirement_set_id__in=set_ids):
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


def rejected_logs(student: Student, model: type[HourLog] | type[ProcedureLog]) -> QuerySet:
    """The student's rejected logs of `model`: what a new log may correct."""
    return model.objects.filter(externship__student=student, status=LogStatus.REJECTED)


def loggable_for(student: Student) -> Loggable:
    """The procedure kinds and competencies `student` may log: what their edition counts."""
    if student.requirement_set_id is None:
        return WITHOUT_EDITION
    return loggable(Requirement.objects.filter(requirement_set_id=student.requirement_set_id))


def active_externship(student: Student) -> Externship | None:
    """The placement under way: the earliest active one (a later one has not started yet)."""
    return (
        student.externships.filter(status=ExternshipStatus.ACTIVE)
        .select_related("site", "supervisor")
        .order_by("starts_on", "id")
        .first()
    )
