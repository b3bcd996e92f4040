"""The caseload page's own reading of the caseload: search by name, the sorts, pages of 25, and
one compact progress bar per requirement. The flags themselves come from `coaching.selectors`."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet, TextChoices

from coaching.selectors import CaseloadRow, most_urgent_first
from enrollment.models import Student
from externships.rules import Line
from externships.selectors import Progress, RequirementProgress

PAGE_SIZE = 25


class Sort(TextChoices):
    URGENT = "urgent", "Most urgent first"
    NAME = "name", "Last name"
    PROGRESS = "progress", "Least progress first"


def named(students: QuerySet[Student], words: str) -> QuerySet[Student]:
    """The students whose first name, last name or email holds every word typed."""
    for word in words.split():
        students = students.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    return students


def _share(line: Line) -> float:
    return min(line.done / line.required, 1.0) if line.required else 1.0


def share(progress: Progress) -> float | None:
    """How far along the student is, from 0 to 1: the mean of their requirements' shares, each
    the mean of its lines; None without requirements."""
    shares = [sum(map(_share, r.lines)) / len(r.lines) for r in progress.requirements if r.lines]
    return sum(shares) / len(shares) if shares else None


def by_name(row: CaseloadRow) -> tuple[str, str, int]:
    user = row.student.user
    return (user.last_name.lower(), user.first_name.lower(), row.student.pk)


def sort_rows(
    rows: list[CaseloadRow], sort: str, progress: dict[int, Progress] | None = None
) -> list[CaseloadRow]:
    """The rows in the order asked for; sorting by progress needs every row's progress (students
    without requirements last), the others none."""
    if sort == Sort.NAME:
        return sorted(rows, key=by_name)
    if sort == Sort.PROGRESS and progress is not None:

        def least_first(row: CaseloadRow) -> tuple[bool, float, tuple[str, str, int]]:
            done = share(progress[row.student.pk])
            return (done is None, done or 0.0, by_name(row))

        return sorted(rows, key=least_first)
    return sorted(rows, key=most_urgent_first)  # stable: the caseload's order within a rank


@dataclass(frozen=True)
class Bar:
    """One requirement as a compact bar: its label, a percent, and the same in words for those
    who cannot see the bar."""

    label: str
    percent: int
    words: str

    @property
    def complete(self) -> bool:
        return self.percent == 100


def _bar(requirement: RequirementProgress) -> Bar:
    lines = requirement.lines
    label = requirement.requirement.label
    percent = int(100 * sum(_share(line) for line in lines) / len(lines)) if lines else 100
    if len(lines) == 1:
        words = lines[0].words
    else:
        met = sum(1 for line in lines if line.met)
        words = f"{met} of {len(lines)} parts met"
    todo = [line.missing for line in lines if not line.met]
    words += f"; {', '.join(todo)}" if todo else "; done"
    return Bar(label, percent, words)


def bars(progress: Progress) -> list[Bar]:
    """One bar per requirement of the student's edition."""
    return [_bar(requirement) for requirement in progress.requirements]
