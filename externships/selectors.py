"""Progress against the clinical requirements, from approved logs only; an approved correction
replaces the log it corrects.

One selector serves the API, `/me/`, the coach's view and the PDFs, at a fixed number of queries
for any number of students."""

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

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
    Site,
)
from externships.rules import Evidence, Line, Rule, rule_for

# The `kind` of the hours' rows in `approved_evidence`, beside the procedures' kinds.
HOURS = "hours"


@dataclass
class RequirementProgress:
    requirement: Requirement
    lines: list[Line]

    @property
    def met(self) -> bool:
        return all(line.met for line in self.lines)


@dataclass
class Progress:
    student: Student
    edition: str
    requirements: list[RequirementProgress]

    @property
    def complete(self) -> bool:
        return bool(self.requirements) and all(r.met for r in self.requirements)


def progress_for(students: QuerySet[Student] | Iterable[Student]) -> dict[int, Progress]:
    """Progress for each student, by student id (two queries whatever the number of students).

    Students need `requirement_set` loaded (select_related) for the edition's name. Given a
    queryset, the logs are filtered by it as a subquery, which is cheaper than a long id list."""
    if isinstance(students, QuerySet):
        ids = students.order_by().values("pk")
        students = list(students)
    else:
        students = list(students)
        ids = [s.pk for s in students]
    evidence = approved_evidence(ids)
    rules = requirement_rules({s.requirement_set_id for s in students if s.requirement_set_id})
    nothing = Evidence()
    return {
        student.pk: Progress(
            student=student,
            edition=str(student.requirement_set.edition) if student.requirement_set else "",
            requirements=[
                RequirementProgress(requirement, rule(evidence.get(student.pk, nothing)))
                for requirement, rule in rules.get(student.requirement_set_id, ())
            ],
        )
        for student in students
    }


def approved_evidence(student_ids: QuerySet | list[int]) -> dict[int, Evidence]:
    """Approved hours and procedures summed per student in one query, procedures by what the
    rules tell apart; a log with an approved correction gives way to it."""
    columns = ["externship__student_id", "kind", "specialty", "role", "competency"]
    hours = (
        approved(HourLog, student_ids)
        .annotate(kind=Value(HOURS), specialty=Value(""), role=Value(""), competency=Value(""))
        .values_list(*columns)
        .annotate(total=Sum("minutes"))
    )
    # A case counts whether or not it went well; any other procedure only when it did.
    procedures = (
        approved(ProcedureLog, student_ids)
        .filter(Q(successful=True) | Q(kind=ProcedureKind.SURGICAL_CASE))
        .values_list(*columns)
        .annotate(total=Sum("count"))
    )
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    for student_id, kind, specialty, role, competency, total in hours.union(procedures, all=True):
        if kind == HOURS:
            evidence[student_id].minutes = total
        else:
            evidence[student_id].add_procedure(kind, total, True, specialty, role, competency)
    return evidence


def approved(
    model: type[HourLog] | type[ProcedureLog], student_ids: QuerySet | list[int]
) -> QuerySet:
    """The students' approved logs, less those replaced by an approved correction."""
    return (
        model.objects.filter(externship__student_id__in=student_ids, status=LogStatus.APPROVED)
        .exclude(corrections__status=LogStatus.APPROVED)
        .order_by()
    )


def requirement_rules(set_ids: set[int]) -> dict[int, list[tuple[Requirement, Rule]]]:
    """Each requirement set's requirements in order, with their rules ready to measure."""
    rules: dict[int, list[tuple[Requirement, Rule]]] = defaultdict(list)
    for requirement in Requirement.objects.filter(requirement_set_id__in=set_ids):
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
