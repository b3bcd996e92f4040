"""Who qualifies, in one place: 18 or older on the day that counts, with a high-school diploma or
GED (some college or a degree implies one). Applications are placed by it on the cohort's start
date; careers reads it for exam readiness on the exam date."""

from datetime import date

from backend.dates import day
from enrollment.models import Cohort, Education

MINIMUM_AGE = 18
QUALIFYING_EDUCATION = frozenset(
    {Education.HS_DIPLOMA, Education.GED, Education.SOME_COLLEGE, Education.DEGREE}
)
EDUCATION_REQUIRED = "A high-school diploma or GED is required."


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`; the birthday itself counts."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_of_age(date_of_birth: date, on: date) -> bool:
    return age_on(date_of_birth, on) >= MINIMUM_AGE


def has_qualifying_education(education: str) -> bool:
    return education in QUALIFYING_EDUCATION


def ineligibility_reason(*, date_of_birth: date, education: str, cohort: Cohort) -> str:
    """Why the applicant does not qualify for the cohort, or "" when they do."""
    reasons = []
    if not is_of_age(date_of_birth, cohort.starts_on):
        reasons.append(
            f"Applicants must be {MINIMUM_AGE} or older on the start date "
            f"({day(cohort.starts_on)})."
        )
    if not has_qualifying_education(education):
        reasons.append(EDUCATION_REQUIRED)
    return " ".join(reasons)
