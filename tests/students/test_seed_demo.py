import io
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role, User
from careers.models import ExamAttempt, JobPlacement, ReferencePay
from careers.reports import outcome_report, reporting_year_of
from enrollment.models import (
    Application,
    Cohort,
    EnrollmentPeriod,
    Program,
    Status,
    Student,
    StudentStage,
)
from externships.defaults import install_default_requirements
from externships.models import (
    ComplianceDocument,
    DocumentKind,
    Externship,
    ExternshipStatus,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureLog,
    Requirement,
    RequirementSet,
    Site,
    SiteKind,
)
from externships.selectors import progress_for
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development_mode(settings) -> None:
    settings.DEBUG = True  # the test runner forces DEBUG off; seed_demo is a development command


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo data seeded once for a class of tests that start from it (each test runs in its
    own savepoint inside), and rolled back after them."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (User, Program, Cohort, Application, EnrollmentPeriod, ExamAttempt)
    )


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys) -> None:
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    out = capsys.readouterr().out
    for email in [
        "admin@demo.pathway",
        "coach@demo.pathway",
        "student@demo.pathway",
        "supervisor@demo.pathway",
    ]:
        assert email in out
        assert User.objects.get(email=email).check_password("demo-pass-2026")
    assert User.objects.get(email="coach@demo.pathway").has_role(Role.COACH)


def test_seed_demo_adds_synthetic_students_with_periods_once(capsys) -> None:
    call_command("seed_demo", students=40)
    load = Student.objects.filter(user__email__startswith="load.")
    assert load.count() == 40
    assert not load.filter(periods__isnull=True).exists()
    assert "40 added" in capsys.readouterr().out
    call_command("seed_demo", students=60)  # adds the 20 missing, the same ones every time
    assert load.count() == 60
    assert "20 added" in capsys.readouterr().out
    assert EnrollmentPeriod.objects.filter(student__in=load).count() >= 60
    stages = set(load.values_list("stage", flat=True))
    assert {StudentStage.GRADUATED, StudentStage.WITHDRAWN, StudentStage.ENROLLED} <= stages
    assert ExamAttempt.objects.filter(student__in=load, result="passed").exists()
    assert JobPlacement.objects.filter(student__in=load, classification="in_field").exists()


def test_seed_demo_synthetic_students_follow_realistic_proportions() -> None:
    call_command("seed_demo", students=1000)
    load = Student.objects.filter(user__email__startswith="load.")
    graduates = load.filter(stage=StudentStage.GRADUATED).count()
    withdrawn = load.filter(stage=StudentStage.WITHDRAWN).count()
    assert 600 < graduates < 900  # ten of the twelve cohorts per program have finished
    assert 50 < withdrawn < 200
    assert load.filter(periods__reentry_after__isnull=False).exists()
    placed = JobPlacement.objects.filter(
        student__in=load, classification__in=["in_field", "related"]
    ).count()
    assert 0.6 < placed / graduates < 0.85
    passed_second = ExamAttempt.objects.filter(
        student__in=load, attempt_number=2, result="passed"
    ).count()
    assert passed_second > 0


def incomplete_graduates() -> dict[str, list[str]]:
    """Each graduate whose approved logs fall short of their edition, with what is missing."""
    graduates = Student.objects.filter(stage=StudentStage.GRADUATED).select_related(
        "user", "requirement_set"
    )
    progress = progress_for(graduates)
    return {s.user.email: progress[s.pk].missing for s in graduates if not progress[s.pk].complete}


def test_every_synthetic_graduate_met_their_edition_with_approved_logs() -> None:
    call_command("seed_demo", students=120)
    graduates = Student.objects.filter(
        user__email__startswith="load.", stage=StudentStage.GRADUATED
    )
    programs = set(graduates.values_list("cohort__program__slug", flat=True))
    assert len(programs) == 4
    assert incomplete_graduates() == {}
    assert not graduates.exclude(externships__status=ExternshipStatus.COMPLETED).exists()
    for model in (HourLog, ProcedureLog):  # every approval kept with who decided it
        approved = model.objects.filter(status=LogStatus.APPROVED)
        assert approved.exists()
        assert not approved.filter(decisions__isnull=True).exists()
        assert not approved.filter(date__gte=timezone.localdate()).exists()
    for site in Site.objects.filter(name__startswith="Synthetic"):  # never more than it takes
        spans = list(site.externships.values_list("starts_on", "ends_on"))
        busiest = max(sum(1 for s, e in spans if s <= day <= e) for day, _ in spans)
        assert busiest <= site.capacity


def test_seed_demo_refuses_to_run_in_production(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.pathway").exists()


# -- the externship demo -----------------------------------------------------------------------


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def externship_counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Student,
            RequirementSet,
            Requirement,
            Site,
            ComplianceDocument,
            Externship,
            HourLog,
            ProcedureLog,
            LogDecision,
        )
    )


def progress_lines(email: str) -> dict[str, str]:
    student = Student.objects.select_related("requirement_set").get(user__email=email)
    progress = progress_for([student])[student.pk]
    return {line.label: line.missing for r in progress.requirements for line in r.lines}


def test_seed_demo_externship_data_is_idempotent() -> None:
    call_command("seed_demo")
    first = externship_counts()
    assert all(first)
    call_command("seed_demo")
    assert externship_counts() == first


def test_seed_demo_synthetic_students_are_students() -> None:
    call_command("seed_demo", students=3)
    load = Student.objects.filter(user__email__startswith="load.")
    assert load.count() == 3
    assert all(s.requirement_set and s.requirement_set.is_current for s in load)
    assert all(s.user.has_role(Role.STUDENT) for s in load)


# -- the outcome-report demo -------------------------------------------------------------------


def test_the_demo_class_gives_the_outcome_report_its_documented_numbers() -> None:
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the class is not enrolled or graduated twice
    year = reporting_year_of(timezone.localdate())
    cohort = Cohort.objects.get(name__endswith="(day class)")
    [row] = outcome_report(year=year, cohort=cohort).rows
    rates = {name: (r.numerator, r.denominator, r.rate) for name, r in row.rates.items()}
    assert rates == {"retention": (9, 10, 90), "placement": (4, 6, 67), "credential": (5, 6, 83)}
    assert row.placement.below_benchmark
    assert (row.terms.be, row.terms.re, row.terms.u) == (9, 1, 1)
    assert {p.classification for p in JobPlacement.objects.filter(student__cohort=cohort)} == {
        "in_field",
        "related",
        "out_of_field",
    }
    blair = Student.objects.get(user__email="blair.graduate@example.com")
    assert list(blair.exam_attempts.values_list("result", flat=True)) == ["failed", "passed"]
    assert Student.objects.get(user__email="finley.leave@example.com").stage == "on_leave"
    assert ReferencePay.objects.filter(program__slug="medical-assistant").exists()


def test_seed_demo_fills_a_programs_blank_page_details_and_keeps_an_admins_edits() -> None:
    call_command("seed_demo")
    # A database seeded before the program pages: the details blank, one of them edited since.
    Program.objects.update(length="", schedule="", tuition_cents=None, fees="", payment_options="")
    Program.objects.filter(slug="phlebotomy").update(tuition_cents=99900)
    call_command("seed_demo")
    phlebotomy = Program.objects.get(slug="phlebotomy")
    assert (phlebotomy.length, phlebotomy.tuition_cents) == ("4 weeks", 99900)
    assert all(p.schedule and p.fees and p.payment_options for p in Program.objects.all())


@pytest.mark.usefixtures("seeded")
class TestFromTheDemoData:
    """Tests that start from the demo data: seeded once for the class (see `seeded`)."""

    def test_seed_demo_makes_four_programs_and_a_full_surgical_tech_cohort_with_a_waitlist(
        self,
    ) -> None:
        assert set(Program.objects.values_list("slug", flat=True)) == {
            "medical-assistant",
            "pharmacy-technician",
            "phlebotomy",
            "surgical-technologist",
        }
        # The upcoming cohort (an earlier one holds the students now on externship).
        surgical = Cohort.objects.filter(program__slug="surgical-technologist").latest("starts_on")
        held = surgical.applications.filter(status__in=[Status.OFFERED, Status.ENROLLED]).count()
        assert held == surgical.capacity
        assert surgical.applications.filter(status=Status.WAITLISTED).exists()
        assert Program.objects.get(slug="surgical-technologist").waitlist_only

    def test_each_demo_program_page_says_its_length_credential_and_costs(self, client) -> None:
        facts = {
            "medical-assistant": ("4 months", "NHA CCMA", "160 externship hours"),
            "pharmacy-technician": ("4 months", "NHA ExCPT (CPhT)", "120 externship hours"),
            "phlebotomy": ("4 weeks", "NHA CPT", "30 successful venipunctures"),
            "surgical-technologist": ("4 months", "NCCT TS-C", "120 surgical cases"),
        }
        for slug, (length, credential, clinical) in facts.items():
            program = Program.objects.get(slug=slug)
            assert program.tuition_cents
            assert program.schedule
            assert program.requirements_to_apply
            page = client.get(f"/programs/{slug}/").content.decode()
            for words in [f"<dd>{length}</dd>", credential, clinical, "Ways to pay"]:
                assert words in page, (slug, words)
        surgical = client.get("/programs/surgical-technologist/").content.decode()
        assert "Waitlist only" in surgical
        assert "Join the waitlist" in surgical

    def test_seed_demo_installs_each_programs_default_requirements(self) -> None:
        editions = {s.program.slug: s for s in RequirementSet.objects.filter(is_current=True)}
        assert {slug: s.edition for slug, s in editions.items()} == {
            "medical-assistant": "CAAHEP Standards 2022 (III.C.3)",
            "pharmacy-technician": "School default",
            "phlebotomy": "NHA CPT",
            "surgical-technologist": "Core Curriculum 6th ed.",
        }
        assert all(s.source for s in editions.values())
        ma = {r.kind: r.params for r in editions["medical-assistant"].requirements.all()}
        assert ma["hours"] == {"hours": 160}
        assert "Vital signs" in ma["competencies"]["items"]
        [pharmacy] = editions["pharmacy-technician"].requirements.all()
        assert pharmacy.params == {"hours": 120}
        assert [r.params for r in editions["phlebotomy"].requirements.all()] == [
            {"procedure": "venipuncture", "count": 30, "noun": "venipuncture"},
            {"procedure": "capillary_stick", "count": 10, "noun": "capillary or finger stick"},
        ]
        [cases] = editions["surgical-technologist"].requirements.all()
        assert cases.params["second_scrub_max"] == 40
        assert cases.params["specialties"] == {
            "total": 90,
            "first_scrub": 60,
            "count": 4,
            "each_first_scrub": 10,
        }
        for program in Program.objects.all():
            assert install_default_requirements(program) == editions[program.slug]
        assert not Student.objects.filter(requirement_set__isnull=True).exists()

    def test_seed_demo_student_is_on_externship_with_approved_and_pending_hours(self) -> None:
        sam = Student.objects.get(user__email="student@demo.pathway")
        assert sam.cohort.program.slug == "medical-assistant"
        assert sam.stage == StudentStage.EXTERNSHIP
        assert sam.coach.email == "coach@demo.pathway"
        assert {d.kind for d in sam.documents.all()} == set(DocumentKind.values)
        externship = sam.externships.get()
        assert externship.status == ExternshipStatus.ACTIVE
        assert externship.supervisor.email == "supervisor@demo.pathway"
        statuses = set(externship.hourlogs.values_list("status", flat=True))
        assert {LogStatus.APPROVED, LogStatus.PENDING} <= statuses
        assert progress_lines(sam.user.email)["Externship hours"].endswith("hours to go")
        assert progress_lines(sam.user.email)["Competency checklist"] == (
            "4 competencies to go: Injections, Specimen collection, EHR entry, Infection control"
        )

    def test_seed_demo_has_sites_of_every_kind_under_the_demo_supervisor(self) -> None:
        supervisor = User.objects.get(email="supervisor@demo.pathway")
        assert set(Site.objects.values_list("kind", flat=True)) == set(SiteKind.values)
        assert set(supervisor.supervised_sites.all()) == set(Site.objects.all())
        assert all(site.programs.exists() for site in Site.objects.all())

    def test_seed_demo_has_students_at_every_stage_coached_by_the_demo_coach(self) -> None:
        stages = set(Student.objects.values_list("stage", flat=True))
        assert {StudentStage.ENROLLED, StudentStage.EXTERNSHIP, StudentStage.GRADUATED} <= stages
        assert not Student.objects.exclude(coach__email="coach@demo.pathway").exists()
        completed = Student.objects.get(user__email="harper.completed@example.com")
        assert completed.stage == StudentStage.GRADUATED
        assert completed.externships.get().status == ExternshipStatus.COMPLETED
        assert set(progress_lines(completed.user.email).values()) == {"done"}

    def test_seed_demo_phlebotomy_student_is_two_venipunctures_short(self) -> None:
        lines = progress_lines("morgan.phlebotomy@example.com")
        assert lines == {
            "Successful venipunctures": "2 venipunctures to go",
            "Successful capillary or finger sticks": "done",
        }

    def test_seed_demo_surgical_student_is_short_on_first_scrub_specialty_cases(self) -> None:
        lines = progress_lines("kai.surgical@example.com")
        assert {label: words for label, words in lines.items() if words != "done"} == {
            "Specialty cases, first scrub": "8 first scrub specialty cases to go"
        }
        assert ProcedureLog.objects.filter(
            externship__student__user__email="kai.surgical@example.com", role="observation"
        ).exists()

    def test_every_demo_graduate_met_their_edition_with_approved_logs(self) -> None:
        graduates = Student.objects.filter(stage=StudentStage.GRADUATED)
        assert graduates.count() == 8  # Harper, and seven of the outcome-report class
        assert incomplete_graduates() == {}
        assert not graduates.exclude(externships__status=ExternshipStatus.COMPLETED).exists()
        approved = HourLog.objects.filter(status=LogStatus.APPROVED)
        assert not approved.filter(decisions__isnull=True).exists()

    def test_demo_graduates_show_the_hours_they_did_on_caseload_certificate_and_roster(
        self, client
    ) -> None:
        coach = User.objects.get(email="coach@demo.pathway")
        client.force_login(coach)
        caseload = client.get("/coach/", {"stage": StudentStage.GRADUATED}).content.decode()
        assert ">8 students<" in caseload
        bars = re.findall(r'<progress max="100" value="(\d+)"', caseload)
        assert len(bars) >= 8
        assert set(bars) == {"100"}  # every requirement's bar full
        assert "to go" not in caseload
        alex = Student.objects.get(user__email="alex.graduate@example.com")
        response = client_for(coach).get(f"/api/v1/students/{alex.pk}/certificate.pdf")
        assert response.status_code == 200
        [certificate] = pdf_text(response.content)
        assert "160 clinical hours completed" in certificate
        assert "6 competency checklist" in certificate
        admin = User.objects.get(email="admin@demo.pathway")
        response = client_for(admin).get(f"/api/v1/cohorts/{alex.cohort_id}/roster.pdf")
        roster = "".join(pdf_text(response.content))
        assert roster.count("160/160 h") == 7  # the class's seven graduates

    def test_each_demo_person_applied_to_one_program(self) -> None:
        programs = defaultdict(set)
        for first, last, born, program in Application.objects.values_list(
            "first_name", "last_name", "date_of_birth", "cohort__program"
        ):
            programs[(first, last, born)].add(program)
        assert {person: p for person, p in programs.items() if len(p) > 1} == {}
        assert len({(first, last) for first, last, _ in programs}) == len(programs)

    def test_every_seeded_student_has_an_enrollment_period_from_their_cohort_start(self) -> None:
        assert not Student.objects.filter(periods__isnull=True).exists()
        sam = Student.objects.get(user__email="student@demo.pathway")
        assert sam.periods.get().started_on == sam.cohort.starts_on

    def test_the_demo_admin_can_browse_the_externship_admin(self, client) -> None:
        client.force_login(User.objects.get(email="admin@demo.pathway"))
        for model in (
            "requirementset",
            "site",
            "compliancedocument",
            "externship",
            "hourlog",
            "procedurelog",
            "logdecision",
        ):
            assert client.get(f"/admin/externships/{model}/").status_code == 200, model
        approved = HourLog.objects.filter(status=LogStatus.APPROVED).first()
        page = client.get(f"/admin/externships/hourlog/{approved.pk}/change/")
        assert page.status_code == 200
        assert b'name="notes"' not in page.content  # frozen
        pending = HourLog.objects.filter(status=LogStatus.PENDING).first()
        page = client.get(f"/admin/externships/hourlog/{pending.pk}/change/")
        assert b'name="notes"' in page.content
        assert b'name="status"' not in page.content
        for path in (
            f"/admin/externships/requirementset/{RequirementSet.objects.first().pk}/change/",
            f"/admin/externships/site/{Site.objects.first().pk}/change/",
            f"/admin/externships/externship/{Externship.objects.first().pk}/change/",
            f"/admin/externships/procedurelog/{ProcedureLog.objects.first().pk}/change/",
            f"/admin/externships/logdecision/{LogDecision.objects.first().pk}/change/",
            "/admin/externships/externship/add/",
        ):
            assert client.get(path).status_code == 200, path
        assert client.get("/admin/externships/logdecision/add/").status_code == 403
        assert client.get("/admin/externships/hourlog/add/").status_code == 403
        delete = f"/admin/externships/hourlog/{pending.pk}/delete/"
        assert client.get(delete).status_code == 403

    def test_the_admin_places_students_through_the_placement_rules(self, client) -> None:
        client.force_login(User.objects.get(email="admin@demo.pathway"))
        quinn = Student.objects.get(user__email="quinn.enrolled@example.com")  # no documents yet
        pharmacy = Site.objects.get(kind=SiteKind.PHARMACY)
        supervisor = User.objects.get(email="supervisor@demo.pathway")
        today = timezone.localdate()
        form = {
            "student": quinn.pk,
            "site": pharmacy.pk,
            "supervisor": supervisor.pk,
            "starts_on": today + timedelta(days=7),
            "ends_on": today + timedelta(days=40),
        }
        refused = client.post("/admin/externships/externship/add/", form)
        assert refused.status_code == 200
        assert b"Missing or expired on the start date" in refused.content
        assert not quinn.externships.exists()
        for kind in DocumentKind:
            ComplianceDocument.objects.create(student=quinn, kind=kind, received_on=today)
        placed = client.post("/admin/externships/externship/add/", form)
        assert placed.status_code == 302
        quinn.refresh_from_db()
        assert quinn.externships.get().site == pharmacy
        assert quinn.stage == StudentStage.EXTERNSHIP

    def test_the_admin_approves_logs_in_bulk(self, client) -> None:
        admin = User.objects.get(email="admin@demo.pathway")
        client.force_login(admin)
        pending = list(
            HourLog.objects.filter(status=LogStatus.PENDING).values_list("pk", flat=True)
        )
        response = client.post(
            "/admin/externships/hourlog/",
            {"action": "approve_selected", "_selected_action": pending},
        )
        assert response.status_code == 302
        assert (
            not HourLog.objects.filter(pk__in=pending).exclude(status=LogStatus.APPROVED).exists()
        )
        assert LogDecision.objects.filter(hour_log__in=pending, decided_by=admin).count() == len(
            pending
        )
