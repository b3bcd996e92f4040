"""What externships does when a student enrolls or leaves: hooks of enrollment.students, which
sits below externships and so cannot call it."""

from datetime import date

from enrollment.models import PeriodEnd, Student
from enrollment.students import on_end, on_enroll
from externships.models import Externship, ExternshipStatus, RequirementSet


@on_enroll
def keep_the_current_edition(student: Student) -> None:
    """A new student keeps the program's current edition of the clinical requirements."""
    student.requirement_set = RequirementSet.objects.filter(
        program_id=student.cohort.program_id, is_current=True
    ).first()
    student.save(update_fields=["requirement_set"])


@on_end
def close_placements(student: Student, on: date, end: str) -> None:
    """A graduate's active placement is completed; a withdrawn student's is cancelled."""
    status = (
        ExternshipStatus.COMPLETED if end == PeriodEnd.GRADUATED else ExternshipStatus.CANCELLED
    )
    # One by one rather than update(), so that each change is in the field history.
    for externship in Externship.objects.filter(student=student, status=ExternshipStatus.ACTIVE):
        externship.status = status
        externship.save(update_fields=["status"])
