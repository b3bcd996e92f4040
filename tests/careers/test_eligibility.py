"""Exam readiness and application placement read one eligibility rule (enrollment's): 18 or older
on the day that counts, with a high-school diploma or GED."""

from datetime import date, timedelta

import pytest

from careers.selectors import exam_readiness
from enrollment.eligibility import ineligibility_reason
from enrollment.models import Education
from tests.factories import CohortFactory, exam_ready_student

pytestmark = pytest.mark.django_db

BIRTHDAY_18 = date(2026, 3, 14)


def _application_says(born: date, day: date, education: str) -> tuple[bool, bool]:
    """(of age, education qualifies) for a cohort starting on `day`."""
    reason = ineligibility_reason(
        date_of_birth=born, education=education, cohort=CohortFactory.build(starts_on=day)
    )
    return "or older" not in reason, "diploma or GED" not in reason


def _exam_says(student: object, day: date) -> tuple[bool, bool]:
    """(of age, education qualifies) for the exam on `day`."""
    reasons = exam_readiness(student, on=day).reasons
    return (
        not any("not 18" in r for r in reasons),
        not any("diploma or GED" in r for r in reasons),
    )


@pytest.mark.parametrize(
    ("born", "day", "of_age"),
    [
        (date(2008, 3, 14), BIRTHDAY_18 - timedelta(days=1), False),  # the eve of the birthday
        (date(2008, 3, 14), BIRTHDAY_18, True),  # the 18th birthday itself
        (date(2008, 3, 14), BIRTHDAY_18 + timedelta(days=1), True),
        (date(2008, 2, 29), date(2026, 2, 28), False),  # a leap-day birthday: 1 March counts
        (date(2008, 2, 29), date(2026, 3, 1), True),
    ],
)
def test_the_exam_and_the_application_agree_at_the_18th_birthday(
    born: date, day: date, of_age: bool
) -> None:
    student = exam_ready_student()
    student.application.date_of_birth = born
    student.application.save(update_fields=["date_of_birth"])
    education = student.application.education

    assert _application_says(born, day, education) == (of_age, True)
    assert _exam_says(student, day) == (of_age, True)


@pytest.mark.parametrize("education", list(Education))
def test_the_exam_and_the_application_agree_on_education(education: str) -> None:
    student = exam_ready_student()
    student.application.education = education
    student.application.save(update_fields=["education"])
    born, day = student.application.date_of_birth, BIRTHDAY_18

    qualifies = education != Education.NONE
    assert _application_says(born, day, education) == (True, qualifies)
    assert _exam_says(student, day) == (True, qualifies)
