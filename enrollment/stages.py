"""A student's stage, changed in one place: every change is kept as a StudentEvent, which the
coach's timeline and the admin show."""

from accounts.models import User
from enrollment.models import Student, StudentEvent


def student_set_stage(
    *, student: Student, to_stage: str, actor: User | None, reason: str
) -> Student:
    """Move the student to `to_stage`, recording who, from what and why; nothing happens when they
    are there already. Runs inside the caller's transaction, with the student row locked."""
    if student.stage == to_stage:
        return student
    StudentEvent.objects.create(
        student=student, from_stage=student.stage, to_stage=to_stage, actor=actor, reason=reason
    )
    student.stage = to_stage
    student.save(update_fields=["stage"])  # save(), not update(): kept in the field history
    return student
