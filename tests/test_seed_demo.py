import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from enrollment.models import Application, Cohort, Program, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development_mode(settings) -> None:
    settings.DEBUG = True  # the test runner forces DEBUG off; seed_demo is a development command


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Program.objects.count(),
        Cohort.objects.count(),
        Application.objects.count(),
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


def test_seed_demo_makes_four_programs_and_a_full_surgical_tech_cohort_with_a_waitlist() -> None:
    call_command("seed_demo")
    assert set(Program.objects.values_list("slug", flat=True)) == {
        "medical-assistant",
        "pharmacy-technician",
        "phlebotomy",
        "surgical-technologist",
    }
    surgical = Cohort.objects.get(program__slug="surgical-technologist")
    held = surgical.applications.filter(status__in=[Status.OFFERED, Status.ENROLLED]).count()
    assert held == surgical.capacity
    assert surgical.applications.filter(status=Status.WAITLISTED).exists()
    assert Program.objects.get(slug="surgical-technologist").waitlist_only


def test_seed_demo_adds_synthetic_students_on_request() -> None:
    call_command("seed_demo", students=7)
    assert (
        Application.objects.filter(email__startswith="load.", status=Status.ENROLLED).count() == 7
    )


def test_seed_demo_refuses_to_run_in_production(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.pathway").exists()
