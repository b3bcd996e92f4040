"""A clinic's day, shared by the review page and the daily summary tests.

The cast:
- supervisor: supervises at Eastside Clinic, where Casey Diaz, Avery Lee and Blake Ng are placed
  (`clinic_students`, in that order), on a Medical Assistant edition: 160 hours and a checklist
  of three competencies.
- drew: placed at Mercy Hospital with another supervisor; nothing of his reaches `supervisor`.
"""

import pytest

from accounts.models import Role, User
from enrollment.models import Program, Student
from externships.models import RequirementSet
from tests.conftest import with_role
from tests.externships.test_pages import placed_student, site_for
from tests.factories import ProgramFactory


@pytest.fixture
def checklist_program(db: None) -> Program:
    """Medical Assistant's shape: 160 hours and a checklist of three competencies."""
    program = ProgramFactory()
    edition = RequirementSet.objects.create(
        program=program, edition="CAAHEP 2022", source="CAAHEP III.C.3"
    )
    edition.requirements.create(kind="hours", label="Externship hours", params={"hours": 160})
    edition.requirements.create(
        kind="competencies",
        label="Competency checklist",
        params={"items": ["Vital signs", "Injections", "EHR entry"]},
        position=1,
    )
    return program


@pytest.fixture
def clinic_students(checklist_program: Program, supervisor: User, coach: User) -> list[Student]:
    program = checklist_program
    site = site_for(program, "Eastside Clinic", supervisor)
    names = [("Casey", "Diaz"), ("Avery", "Lee"), ("Blake", "Ng")]
    return [
        placed_student(
            with_role(
                Role.STUDENT, email=f"{first.lower()}@school.test", first_name=first, last_name=last
            ),
            program,
            site,
            supervisor,
            coach,
        )
        for first, last in names
    ]


@pytest.fixture
def drew(checklist_program: Program, coach: User) -> Student:
    program = checklist_program
    other = with_role(Role.SUPERVISOR, email="preceptor@hospital.test")
    user = with_role(Role.STUDENT, email="drew@school.test", first_name="Drew", last_name="Ito")
    return placed_student(user, program, site_for(program, "Mercy Hospital", other), other, coach)
