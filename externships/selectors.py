"""Progress against the clinical requirements, from approved logs only; an approved correction
replaces the log it corrects.

One selector serves the API, `/me/`, the coach's view and the PDFs, at a fixed number of queries
for any number of students."""

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q, QuerySet, Sum

from accounts.models import Role, User
from enrollment.models import Student
from externships.models import (
    Externship,
    ExternshipStatus,
    HourLog,
    LogStatus,
    ProcedureLog,
    Requirement,
    Site,
)
from externships.rules import Evidence, Line, measure


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
    """Progress for each student, by student id (three queries whatever the number of students).

    Students need `requirement_set` loaded (select_related) for the edition's name. Given a
    queryset, the logs are filtered by it as a subquery, which is cheaper than a long id list."""
    if isinstance(students, QuerySet):
        ids = students.order_by().values("pk")
        students = list(students)
    else:
        students = list(students)
        ids = [s.pk for s in students]
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    hours = (
        HourLog.objects.filter(externship__student_id__in=ids, status=LogStatus.APPROVED)
        .exclude(corrections__status=LogStatus.APPROVED)
        .values_list("externship__student_id")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    )
    for student_id, minutes in hours:
        evidence[student_id].minutes = minutes
    procedures = (
        ProcedureLog.objects.filter(externship__student_id__in=ids, status=LogStatus.APPROVED)
        .exclude(corrections__status=LogStatus.APPROVED)
        .values_list(
            "externship__student_id", "kind", "successful", "specialty", "role", "competency"
        )
        .annotate(total=Sum("count"))
        .order_by()
    )
    for student_id, kind, successful, specialty, role, competency, total in procedures:
        evidence[student_id].add_procedure(kind, total, successful, specialty, role, competency)
    set_ids = {s.requirement_set_id for s in students if s.requirement_set_id}
    requirements: dict[int, list[Requirement]] = defaultdict(list)
    for requirement in Requirement.objects.filter(requirement_set_id__in=set_ids):
        requirements[requirement.requirement_set_id].append(requirement)
    return {
        student.pk: Progress(
            student=student,
            edition=str(student.requirement_set.edition) if student.requirement_set else "",
            requirements=[
                RequirementProgress(r, measure(r, evidence[student.pk]))
                for r in requirements[student.requirement_set_id]
            ],
        )
        for student in students
    }


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
