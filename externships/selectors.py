"""Progress against the clinical requirements, from approved logs only.

One selector serves the API, `/me/`, the coach's view and the PDFs, at a fixed number of queries
for any number of students."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from accounts.models import Role, User
from enrollment.models import Student
from externships.models import HourLog, LogStatus, ProcedureLog, Requirement
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


def progress_for(students: Iterable[Student]) -> dict[int, Progress]:
    """Progress for each student, by student id (three queries whatever the number of students).

    Students need `requirement_set` loaded (select_related) for the edition's name."""
    students = list(students)
    ids = [s.pk for s in students]
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    hours = (
        HourLog.objects.filter(externship__student_id__in=ids, status=LogStatus.APPROVED)
        .values("externship__student_id")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    )
    for row in hours:
        evidence[row["externship__student_id"]].minutes = row["minutes"]
    procedures = (
        ProcedureLog.objects.filter(externship__student_id__in=ids, status=LogStatus.APPROVED)
        .values("externship__student_id", "kind", "successful", "specialty", "role", "competency")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for row in procedures:
        evidence[row["externship__student_id"]].add_procedure(
            row["kind"],
            row["total"],
            row["successful"],
            row["specialty"],
            row["role"],
            row["competency"],
        )
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
