"""The requirement rules (externships.rules) and progress from approved logs (progress_for)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Student
from enrollment.services import Actor, application_accept
from externships.defaults import install_default_requirements
from externships.models import (
    LogStatus,
    ProcedureKind,
    Requirement,
    RequirementKind,
    RequirementSet,
    ScrubRole,
)
from externships.rules import Evidence, Line, measure, surgical_case_lines
from externships.selectors import progress_for
from externships.services import hour_log_create, log_decide
from tests.factories import (
    CohortFactory,
    ExternshipFactory,
    HourLogFactory,
    ProcedureLogFactory,
    ProgramFactory,
    RequirementFactory,
    RequirementSetFactory,
    StudentFactory,
    UserFactory,
    applicant,
)

SURGICAL = {
    "total": 120,
    "first_scrub": 80,
    "second_scrub_max": 40,
    "general": {"total": 30, "first_scrub": 20},
    "specialties": {"total": 90, "first_scrub": 60, "count": 4, "each_first_scrub": 10},
}
FS, SS, OBS = ScrubRole.FIRST_SCRUB, ScrubRole.SECOND_SCRUB, ScrubRole.OBSERVATION


def rule(kind: str, **params: object) -> Requirement:
    return Requirement(kind=kind, label=f"{kind} rule", params=params)


def one_line(requirement: Requirement, evidence: Evidence) -> Line:
    [line] = measure(requirement, evidence)
    return line


def cases(**by_specialty_and_role: int) -> Counter:
    """cases(general__first_scrub=20, orthopedic__second_scrub=5) as the rules' Counter."""
    counter = Counter()
    for key, n in by_specialty_and_role.items():
        specialty, role = key.split("__")
        counter[(specialty.replace("_", " "), role)] += n
    return counter


def surgical(counter: Counter) -> dict[str, Line]:
    return {line.label: line for line in surgical_case_lines(SURGICAL, counter)}


def unmet(lines: dict[str, Line]) -> dict[str, str]:
    return {label: line.missing for label, line in lines.items() if not line.met}


# A log book that meets every 6th-edition rule exactly at its threshold.
AT_THRESHOLD = dict(
    general__first_scrub=20,
    general__second_scrub=10,
    orthopedic__first_scrub=30,
    neuro__first_scrub=10,
    genitourinary__first_scrub=10,
    ophthalmic__first_scrub=10,
    plastics__second_scrub=30,
)


# -- Line.missing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "required", "unit", "words"),
    [
        (18, 30, "venipunctures", "12 venipunctures to go"),
        (29, 30, "venipunctures", "1 venipuncture to go"),
        (30, 30, "venipunctures", "done"),
        (31, 30, "venipunctures", "done"),
        (0, 10, "capillary or finger sticks", "10 capillary or finger sticks to go"),
        (9, 10, "capillary or finger sticks", "1 capillary or finger stick to go"),
        (0, 160, "hours", "160 hours to go"),
        (159, 160, "hours", "1 hour to go"),
        (150.5, 160, "hours", "9.5 hours to go"),
        (159.9, 160, "hours", "0.1 hours to go"),
        (160.0, 160, "hours", "done"),
        (79, 80, "first scrub cases", "1 first scrub case to go"),
    ],
)
def test_missing_says_what_is_left_in_words(done, required, unit, words) -> None:
    assert Line("x", done, required, unit).missing == words


@pytest.mark.parametrize(
    ("unit", "words"),
    [("competencies", "1 competency to go"), ("specialties", "1 specialty to go")],
)
def test_missing_singular_of_words_ending_in_ies(unit, words) -> None:
    assert Line("x", 3, 4, unit).missing == words


@pytest.mark.parametrize(
    ("done", "required", "unit", "words"),
    [
        (72.5, 160, "hours", "72.5 of 160 hours"),
        (160.0, 160.0, "hours", "160 of 160 hours"),
        (0.30000000000000004, 8, "hours", "0.3 of 8 hours"),
        (12, 30, "venipunctures", "12 of 30 venipunctures"),
        (0, 1, "competencies", "0 of 1 competency"),
    ],
)
def test_words_say_done_out_of_required_as_every_page_shows_it(done, required, unit, words):
    """The caseload's bars, the student's and supervisor's progress read the same words."""
    assert Line("x", done, required, unit).words == words


# -- hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "done", "words"),
    [
        (0, 0, "160 hours to go"),
        (90, 1.5, "158.5 hours to go"),
        (100, 1.6, "158.4 hours to go"),  # 1 h 40 min, in tenths of an hour rounded down
        (159 * 60, 159, "1 hour to go"),
        (160 * 60, 160, "done"),
        (170 * 60, 170, "done"),
    ],
)
def test_hours_are_approved_minutes_in_tenths_of_an_hour(minutes, done, words) -> None:
    line = one_line(rule(RequirementKind.HOURS, hours=160), Evidence(minutes=minutes))
    assert (line.done, line.required, line.unit) == (done, 160, "hours")
    assert line.missing == words


def test_two_minutes_short_of_the_hours_is_not_met() -> None:
    line = one_line(rule(RequirementKind.HOURS, hours=160), Evidence(minutes=160 * 60 - 2))
    assert not line.met
    assert line.missing == "0.1 hours to go"


# -- procedures and competencies ---------------------------------------------------------------


def phlebotomy_evidence(*logs: tuple[str, int, bool]) -> Evidence:
    evidence = Evidence()
    for kind, count, successful in logs:
        evidence.add_procedure(kind, count, successful, "", "", "")
    return evidence


def test_procedures_count_successful_ones_of_their_kind_only() -> None:
    evidence = phlebotomy_evidence(
        (ProcedureKind.VENIPUNCTURE, 15, True),
        (ProcedureKind.VENIPUNCTURE, 3, True),
        (ProcedureKind.VENIPUNCTURE, 4, False),
        (ProcedureKind.CAPILLARY_STICK, 9, True),
    )
    veni = rule(RequirementKind.PROCEDURES, procedure="venipuncture", count=30, noun="venipuncture")
    sticks = rule(
        RequirementKind.PROCEDURES,
        procedure="capillary_stick",
        count=10,
        noun="capillary or finger stick",
    )
    assert one_line(veni, evidence).done == 18
    assert one_line(veni, evidence).missing == "12 venipunctures to go"
    assert one_line(sticks, evidence).missing == "1 capillary or finger stick to go"


def test_a_procedure_rule_without_a_noun_names_the_procedure() -> None:
    line = one_line(
        rule(RequirementKind.PROCEDURES, procedure="capillary_stick", count=10), Evidence()
    )
    assert line.missing == "10 capillary sticks to go"


def test_competencies_match_the_checklist_ignoring_case_and_spaces() -> None:
    evidence = Evidence()
    evidence.add_procedure(ProcedureKind.COMPETENCY, 1, True, "", "", " vital SIGNS ")
    evidence.add_procedure(ProcedureKind.COMPETENCY, 1, False, "", "", "Injections")
    evidence.add_procedure(ProcedureKind.COMPETENCY, 1, True, "", "", "Not on the list")
    checklist = rule(RequirementKind.COMPETENCIES, items=["Vital signs", "Injections", "EHR entry"])
    line = one_line(checklist, evidence)
    assert (line.done, line.required) == (1, 3)  # an unsuccessful attempt does not count
    assert line.missing == "2 competencies to go: Injections, EHR entry"


def test_an_unknown_requirement_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown requirement kind"):
        measure(rule("bogus"), Evidence())


# -- surgical cases (Core Curriculum 6th ed.) --------------------------------------------------


def test_exactly_at_every_threshold_meets_every_rule() -> None:
    lines = surgical(cases(**AT_THRESHOLD))
    assert unmet(lines) == {}
    assert lines["Surgical cases counted"].done == 120
    assert lines["First scrub cases"].done == 80
    assert lines["Specialties with 10+ first scrub cases"].done == 4


def test_nothing_logged_misses_every_rule_in_words() -> None:
    assert unmet(surgical(Counter())) == {
        "Surgical cases counted": "120 cases to go",
        "First scrub cases": "80 first scrub cases to go",
        "General surgery cases": "30 general surgery cases to go",
        "General surgery, first scrub": "20 first scrub general cases to go",
        "Specialty cases": "90 specialty cases to go",
        "Specialty cases, first scrub": "60 first scrub specialty cases to go",
        "Specialties with 10+ first scrub cases": "4 specialties to go",
    }


def test_second_scrub_counts_toward_the_total_for_at_most_40() -> None:
    log_book = {**AT_THRESHOLD, "general__first_scrub": 19, "plastics__second_scrub": 45}
    lines = surgical(cases(**log_book))
    # 79 first scrub + 55 second scrub of which only 40 count.
    assert lines["Surgical cases counted"].done == 79 + 40
    assert lines["Surgical cases counted"].missing == "1 case to go"
    assert lines["First scrub cases"].missing == "1 first scrub case to go"


def test_second_scrub_never_makes_up_for_first_scrub() -> None:
    lines = surgical(cases(general__second_scrub=200))
    assert lines["First scrub cases"].done == 0
    assert lines["Surgical cases counted"].done == 40
    assert lines["General surgery cases"].met
    assert not lines["General surgery, first scrub"].met


def test_a_specialty_with_nine_first_scrub_cases_does_not_qualify() -> None:
    log_book = {**AT_THRESHOLD, "ophthalmic__first_scrub": 9, "orthopedic__first_scrub": 31}
    lines = surgical(cases(**log_book))
    assert lines["Specialty cases, first scrub"].met  # 60 in all
    qualifying = lines["Specialties with 10+ first scrub cases"]
    assert (qualifying.done, qualifying.met) == (3, False)


def test_second_scrub_cases_do_not_qualify_a_specialty() -> None:
    log_book = {**AT_THRESHOLD, "ophthalmic__first_scrub": 0, "ophthalmic__second_scrub": 10}
    lines = surgical(cases(**log_book))
    assert lines["Specialties with 10+ first scrub cases"].done == 3


def test_fewer_than_four_qualifying_specialties_fails_even_with_enough_cases() -> None:
    lines = surgical(
        cases(
            general__first_scrub=30,
            orthopedic__first_scrub=20,
            neuro__first_scrub=20,
            ophthalmic__first_scrub=20,
            plastics__second_scrub=30,
        )
    )
    assert list(unmet(lines)) == ["Specialties with 10+ first scrub cases"]
    assert lines["Specialties with 10+ first scrub cases"].done == 3


def test_observation_cases_are_never_counted() -> None:
    observed = cases(**{f"{key.split('__')[0]}__observation": 50 for key in AT_THRESHOLD})
    lines = surgical(observed)
    assert all(line.done == 0 for line in lines.values())
    with_observation = cases(**AT_THRESHOLD) + observed
    assert {label: line.done for label, line in surgical(with_observation).items()} == {
        label: line.done for label, line in surgical(cases(**AT_THRESHOLD)).items()
    }


def test_general_surgery_first_scrub_shortfall() -> None:
    log_book = {**AT_THRESHOLD, "general__first_scrub": 17, "general__second_scrub": 13}
    lines = surgical(cases(**log_book))
    assert lines["General surgery cases"].met  # 30 general cases
    assert lines["General surgery, first scrub"].missing == "3 first scrub general cases to go"
    assert lines["First scrub cases"].missing == "3 first scrub cases to go"


def test_general_cases_are_not_specialty_cases() -> None:
    lines = surgical(cases(general__first_scrub=120))
    assert lines["Specialty cases"].done == 0
    assert lines["Specialties with 10+ first scrub cases"].done == 0
    assert lines["Surgical cases counted"].met


def test_specialty_names_are_compared_without_case_or_spaces() -> None:
    evidence = Evidence()
    for specialty in ["Orthopedic", " orthopedic ", "ORTHOPEDIC"]:
        evidence.add_procedure(ProcedureKind.SURGICAL_CASE, 4, True, specialty, FS, "")
    evidence.add_procedure(ProcedureKind.SURGICAL_CASE, 5, True, " General ", FS, "")
    lines = {line.label: line for line in surgical_case_lines(SURGICAL, evidence.cases)}
    assert lines["Specialties with 10+ first scrub cases"].done == 1
    assert lines["General surgery, first scrub"].done == 5


def test_an_unsuccessful_surgical_case_still_counts() -> None:
    # "successful" is about sticks; a case is counted by role whatever its outcome.
    evidence = Evidence()
    evidence.add_procedure(ProcedureKind.SURGICAL_CASE, 3, False, "general", FS, "")
    assert evidence.cases[("general", FS)] == 3


def test_a_case_logged_as_general_surgery_counts_as_general() -> None:
    evidence = Evidence()
    evidence.add_procedure(ProcedureKind.SURGICAL_CASE, 20, True, "General Surgery", FS, "")
    lines = {line.label: line for line in surgical_case_lines(SURGICAL, evidence.cases)}
    assert lines["General surgery, first scrub"].done == 20
    assert lines["Specialty cases"].done == 0


def test_diagnostic_endoscopy_is_not_a_specialty() -> None:
    lines = surgical(cases(diagnostic_endoscopy__first_scrub=12))
    assert lines["Specialty cases"].done == 0
    assert lines["Specialties with 10+ first scrub cases"].done == 0


# -- progress from approved logs ---------------------------------------------------------------


def phlebotomy_student(**fields: object) -> Student:
    program = ProgramFactory()
    requirement_set = install_default_requirements(program)
    return StudentFactory(
        cohort=CohortFactory(program=program), requirement_set=requirement_set, **fields
    )


def progress_of(student: Student):
    student = Student.objects.select_related("requirement_set").get(pk=student.pk)
    return progress_for([student])[student.pk]


def lines_of(student: Student) -> dict[str, Line]:
    return {
        line.label: line
        for requirement in progress_of(student).requirements
        for line in requirement.lines
    }


@pytest.mark.django_db
def test_only_approved_logs_count() -> None:
    student = phlebotomy_student()
    externship = ExternshipFactory(student=student)
    for status in [LogStatus.PENDING, LogStatus.REJECTED, LogStatus.NEEDS_INFO]:
        ProcedureLogFactory(externship=externship, count=20, status=status)
        ProcedureLogFactory(
            externship=externship, kind=ProcedureKind.CAPILLARY_STICK, count=20, status=status
        )
    ProcedureLogFactory(externship=externship, count=25)
    ProcedureLogFactory(externship=externship, count=3)
    ProcedureLogFactory(externship=externship, count=5, successful=False)
    ProcedureLogFactory(externship=externship, kind=ProcedureKind.CAPILLARY_STICK, count=10)
    lines = lines_of(student)
    assert lines["Successful venipunctures"].done == 28
    assert lines["Successful venipunctures"].missing == "2 venipunctures to go"
    assert lines["Successful capillary or finger sticks"].missing == "done"
    assert not progress_of(student).complete


@pytest.mark.django_db
def test_only_approved_hours_count() -> None:
    program = ProgramFactory(slug="medical-assistant", track="medical_assistant")
    student = StudentFactory(
        cohort=CohortFactory(program=program),
        requirement_set=install_default_requirements(program),
    )
    externship = ExternshipFactory(student=student)
    today = timezone.localdate()
    for days, status in enumerate(
        [LogStatus.APPROVED, LogStatus.PENDING, LogStatus.REJECTED, LogStatus.NEEDS_INFO], 1
    ):
        HourLogFactory(externship=externship, date=today - timedelta(days=days), status=status)
    HourLogFactory(
        externship=externship, date=today - timedelta(days=9), minutes=90, status="approved"
    )
    progress = progress_of(student)
    assert progress.edition == "CAAHEP Standards 2022 (III.C.3)"
    hours = lines_of(student)["Externship hours"]
    assert (hours.done, hours.missing) == (9.5, "150.5 hours to go")


@pytest.mark.django_db
def test_approved_logs_of_every_externship_of_the_student_count() -> None:
    student = phlebotomy_student()
    first = ExternshipFactory(student=student, status="cancelled")
    second = ExternshipFactory(student=student)
    ProcedureLogFactory(externship=first, count=12)
    ProcedureLogFactory(externship=second, count=18)
    ProcedureLogFactory(externship=ExternshipFactory(), count=30)  # someone else's
    assert lines_of(student)["Successful venipunctures"].missing == "done"


@pytest.mark.django_db
def test_every_requirement_met_is_complete() -> None:
    student = phlebotomy_student()
    externship = ExternshipFactory(student=student)
    ProcedureLogFactory(externship=externship, count=30)
    ProcedureLogFactory(externship=externship, kind=ProcedureKind.CAPILLARY_STICK, count=10)
    assert progress_of(student).complete


@pytest.mark.django_db
def test_a_student_without_requirements_is_never_complete() -> None:
    student = StudentFactory()
    progress = progress_of(student)
    assert (progress.edition, progress.requirements, progress.complete) == ("", [], False)


@pytest.mark.django_db
def test_surgical_progress_from_logs(django_assert_num_queries) -> None:
    program = ProgramFactory(
        slug="surgical-technologist", name="Surgical Technologist", track="surgical_technologist"
    )
    student = StudentFactory(
        cohort=CohortFactory(program=program),
        requirement_set=install_default_requirements(program),
    )
    externship = ExternshipFactory(student=student)
    for key, n in AT_THRESHOLD.items():
        specialty, role = key.split("__")
        ProcedureLogFactory(
            externship=externship,
            kind=ProcedureKind.SURGICAL_CASE,
            specialty=specialty,
            role=role,
            count=n,
        )
    ProcedureLogFactory(
        externship=externship,
        kind=ProcedureKind.SURGICAL_CASE,
        specialty="neuro",
        role=OBS,
        count=40,
    )
    ProcedureLogFactory(
        externship=externship,
        kind=ProcedureKind.SURGICAL_CASE,
        specialty="neuro",
        role=FS,
        count=5,
        status=LogStatus.PENDING,
    )
    assert progress_of(student).complete
    assert lines_of(student)["Surgical cases counted"].done == 120


@pytest.mark.django_db
def test_a_student_keeps_their_edition_when_the_program_moves_on() -> None:
    program = ProgramFactory()
    old = install_default_requirements(program)
    cohort = CohortFactory(program=program, capacity=5)
    first, _ = application_submit(cohort=cohort, **applicant(1))
    application_accept(application=first, actor=Actor())
    earlier = Student.objects.get(application=first)
    assert earlier.requirement_set == old
    # The program moves to a new edition with a higher count.
    RequirementSet.objects.filter(pk=old.pk).update(is_current=False)
    new = RequirementSetFactory(program=program, edition="NHA CPT 2027")
    RequirementFactory(
        requirement_set=new,
        kind=RequirementKind.PROCEDURES,
        label="Successful venipunctures",
        params={"procedure": "venipuncture", "count": 40, "noun": "venipuncture"},
    )
    assert install_default_requirements(program) == new  # the current set is left alone
    second, _ = application_submit(cohort=cohort, **applicant(2))
    application_accept(application=second, actor=Actor())
    later = Student.objects.get(application=second)
    for student in (earlier, later):
        ProcedureLogFactory(externship=ExternshipFactory(student=student), count=30)
    earlier.refresh_from_db()
    assert earlier.requirement_set == old
    assert later.requirement_set == new
    assert progress_of(earlier).edition == "NHA CPT"
    assert lines_of(earlier)["Successful venipunctures"].missing == "done"
    assert progress_of(later).edition == "NHA CPT 2027"
    assert lines_of(later)["Successful venipunctures"].missing == "10 venipunctures to go"


def students_with_logs(n: int, program_sets: list[RequirementSet]) -> list[Student]:
    students = []
    for i in range(n):
        requirement_set = program_sets[i % len(program_sets)]
        student = StudentFactory(
            cohort=CohortFactory(program=requirement_set.program), requirement_set=requirement_set
        )
        externship = ExternshipFactory(student=student)
        HourLogFactory(externship=externship)
        ProcedureLogFactory(externship=externship, count=i + 1)
        ProcedureLogFactory(externship=externship, kind=ProcedureKind.CAPILLARY_STICK)
        students.append(student)
    ids = [s.pk for s in students]
    return list(Student.objects.select_related("requirement_set").filter(pk__in=ids))


@pytest.mark.django_db
def test_progress_takes_the_same_queries_for_2_and_20_students(django_assert_num_queries) -> None:
    sets = [
        install_default_requirements(ProgramFactory()),
        install_default_requirements(
            ProgramFactory(slug="medical-assistant", track="medical_assistant")
        ),
    ]
    few, many = students_with_logs(2, sets), students_with_logs(20, sets)
    # Approved hours and procedures in one query, then the editions' requirements.
    with django_assert_num_queries(2):
        two = progress_for(few)
    with django_assert_num_queries(2):
        twenty = progress_for(many)
    assert len(two) == 2
    assert len(twenty) == 20
    phlebotomy = [p for p in twenty.values() if p.edition == "NHA CPT"]
    assert len(phlebotomy) == 10
    assert all(
        p.requirements[1].lines[0].missing == "9 capillary or finger sticks to go"
        for p in phlebotomy
    )


@pytest.mark.django_db
def test_an_approved_correction_replaces_the_log_it_corrects() -> None:
    program = ProgramFactory(slug="medical-assistant", track="medical_assistant")
    student = StudentFactory(
        cohort=CohortFactory(program=program),
        requirement_set=install_default_requirements(program),
    )
    supervisor = UserFactory()
    externship = ExternshipFactory(student=student, supervisor=supervisor)
    day = timezone.localdate() - timedelta(days=2)
    original = HourLogFactory(externship=externship, date=day)  # approved 8 hours
    correction = hour_log_create(
        student=student,
        externship=externship,
        date=day,
        start_time=original.start_time,
        end_time=original.start_time.replace(hour=12),
        activities="Only the morning: I left at noon",
        corrects=original,
    )
    staff = UserFactory(is_superuser=True)
    log_decide(log=correction, decision=LogStatus.APPROVED, by=staff)
    assert lines_of(student)["Externship hours"].done == 4


@pytest.mark.django_db
def test_an_approved_procedure_correction_replaces_the_original_and_a_pending_one_does_not() -> (
    None
):
    student = phlebotomy_student()
    externship = ExternshipFactory(student=student)
    corrected = ProcedureLogFactory(externship=externship, count=20)
    ProcedureLogFactory(externship=externship, count=12, corrects=corrected)
    awaiting = ProcedureLogFactory(externship=externship, count=5)
    ProcedureLogFactory(externship=externship, count=1, corrects=awaiting, status=LogStatus.PENDING)
    assert lines_of(student)["Successful venipunctures"].done == 17


@pytest.mark.django_db
def test_an_unsuccessful_case_counts_in_progress_and_an_unsuccessful_competency_does_not() -> None:
    requirement_set = RequirementSetFactory()
    RequirementFactory(
        requirement_set=requirement_set,
        kind=RequirementKind.COMPETENCIES,
        label="Competencies",
        params={"items": ["Vital signs", "Injections"]},
    )
    RequirementFactory(
        requirement_set=requirement_set,
        kind=RequirementKind.SURGICAL_CASES,
        label="Cases",
        params=SURGICAL,
    )
    student = StudentFactory(requirement_set=requirement_set)
    externship = ExternshipFactory(student=student)
    competency = {"externship": externship, "kind": ProcedureKind.COMPETENCY}
    ProcedureLogFactory(**competency, competency=" vital SIGNS ")
    ProcedureLogFactory(**competency, competency="Injections", successful=False)
    ProcedureLogFactory(
        externship=externship,
        kind=ProcedureKind.SURGICAL_CASE,
        specialty="General",
        role=FS,
        count=5,
        successful=False,
    )
    lines = lines_of(student)
    assert lines["Competencies"].done == 1
    assert lines["General surgery, first scrub"].done == 5


@pytest.mark.django_db
def test_every_kind_of_requirement_in_one_set_and_students_of_other_sets_together() -> None:
    everything = RequirementSetFactory()
    for kind, label, params in [
        (RequirementKind.HOURS, "Hours", {"hours": 10}),
        (RequirementKind.PROCEDURES, "Sticks", {"procedure": "capillary_stick", "count": 3}),
        (RequirementKind.COMPETENCIES, "Competencies", {"items": ["Vital signs"]}),
        (RequirementKind.SURGICAL_CASES, "Cases", SURGICAL),
    ]:
        RequirementFactory(requirement_set=everything, kind=kind, label=label, params=params)
    hours_only = RequirementSetFactory(is_current=False)  # an older edition
    RequirementFactory(
        requirement_set=hours_only, kind=RequirementKind.HOURS, label="Hours", params={"hours": 5}
    )
    busy = StudentFactory(requirement_set=everything)
    plain = StudentFactory(requirement_set=hours_only)
    for student in (busy, plain):
        externship = ExternshipFactory(student=student)
        HourLogFactory(externship=externship)  # 8 hours, approved
        ProcedureLogFactory(externship=externship, kind=ProcedureKind.CAPILLARY_STICK, count=2)
        ProcedureLogFactory(
            externship=externship, kind=ProcedureKind.COMPETENCY, competency="vital signs"
        )
        ProcedureLogFactory(
            externship=externship,
            kind=ProcedureKind.SURGICAL_CASE,
            specialty="ortho",
            role=FS,
            count=7,
        )
    students = Student.objects.select_related("requirement_set").filter(pk__in=[busy.pk, plain.pk])
    progress = progress_for(students)
    busy_lines = {line.label: line for r in progress[busy.pk].requirements for line in r.lines}
    assert busy_lines["Hours"].done == 8
    assert busy_lines["Sticks"].missing == "1 capillary stick to go"
    assert busy_lines["Competencies"].met
    assert busy_lines["Specialty cases, first scrub"].done == 7
    assert [line.done for r in progress[plain.pk].requirements for line in r.lines] == [8]
