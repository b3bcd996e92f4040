"""A Python client generated from the live schema by openapi-python-client (a generator nobody
here wrote), the way README's API section says to: every module of it imports, and the main flow
runs through it against a real server. A schema change that breaks generated clients fails here.

The generator runs offline, as a subprocess from the virtualenv, into the test's own folder."""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from django.utils import timezone

from accounts.models import Role
from externships.models import HourLog, LogStatus
from tests.conftest import with_role
from tests.factories import (
    CohortFactory,
    ExternshipFactory,
    SiteFactory,
    StudentFactory,
    complete_documents,
)

BIN = Path(sys.executable).parent
PACKAGE = "pathway_client"
PASSWORD = "correct-horse-battery"  # UserFactory's
# The generator knows JSON, text and octet-stream answers; a PDF is bytes like any other file.
CONFIG = "content_type_overrides:\n  application/pdf: application/octet-stream\n"


@pytest.fixture(scope="module")
def generated(
    live_server: object, tmp_path_factory: pytest.TempPathFactory, django_db_blocker: object
) -> Iterator[ModuleType]:
    """The client package, generated once from the schema the server serves, and imported."""
    folder = tmp_path_factory.mktemp("client")
    with (
        django_db_blocker.unblock(),
        urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as answer,
    ):
        (folder / "schema.json").write_bytes(answer.read())
    (folder / "config.yaml").write_text(CONFIG)
    run = subprocess.run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path=schema.json",
            "--config=config.yaml",
            "--meta=none",
            f"--output-path={PACKAGE}",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        # Its formatting step runs the virtualenv's ruff.
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # A part of the schema it cannot read is left out of the client with a warning.
    assert "Warning" not in output, output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.mark.django_db(transaction=True)
def test_every_module_of_the_generated_client_imports(generated: ModuleType) -> None:
    names = [
        module.name for module in pkgutil.walk_packages(generated.__path__, prefix=f"{PACKAGE}.")
    ]
    broken = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is listed, not only the first
            broken[name] = f"{type(exc).__name__}: {exc}"
    assert not broken, json.dumps(broken, indent=2)
    # The operations of the flow below, and the models they send, are among them.
    assert f"{PACKAGE}.api.v1.v1_applications_create" in names
    assert len(names) > 100


@pytest.mark.django_db(transaction=True)
def test_the_main_flow_runs_through_the_generated_client(
    generated: ModuleType, live_server: object
) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.v1")
    models = importlib.import_module(f"{PACKAGE}.models")
    for name in (
        "v1_programs_list",
        "v1_applications_create",
        "v1_applications_retrieve",
        "v1_auth_token_create",
        "v1_hour_logs_create",
        "v1_hour_logs_approve_create",
    ):
        importlib.import_module(f"{api.__name__}.{name}")
    cohort = CohortFactory()  # open for applications
    supervisor = with_role(Role.SUPERVISOR, email="sam@clinic.test")
    started = timezone.localdate() - timedelta(days=60)
    student = StudentFactory(
        user__email="avery@school.test", cohort=CohortFactory(starts_on=started), period=started
    )
    complete_documents(student)
    externship = ExternshipFactory(
        student=student,
        supervisor=supervisor,
        site=SiteFactory(programs=[student.cohort.program], supervisors=[supervisor]),
    )
    anyone = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    programs = api.v1_programs_list.sync(client=anyone)
    [program] = programs.results
    assert (program.slug, program.next_cohort.id) == (cohort.program.slug, cohort.pk)

    created = api.v1_applications_create.sync(
        client=anyone,
        body=models.ApplicationCreateRequest(
            program=program.slug,
            first_name="Jamie",
            last_name="Peña",
            email="jamie@example.com",
            phone="(202) 555-0147",
            date_of_birth=timezone.localdate().replace(year=1998),
            education=models.EducationEnum.HS_DIPLOMA,
            consent=models.ConsentRequest(email=True, updates_sms=True),
        ),
    )
    assert isinstance(created, models.ApplicationCreated), created
    status = api.v1_applications_retrieve.sync(
        created.id, client=anyone, token=created.status_token
    )
    assert isinstance(status, models.Application), status
    assert (status.last_name, status.phone) == ("Peña", "+12025550147")
    assert status.status == created.status

    def signed_in(email: str) -> object:
        token = api.v1_auth_token_create.sync(
            client=anyone, body=models.TokenRequestRequest(email=email, password=PASSWORD)
        )
        assert isinstance(token, models.Token), token
        return generated.AuthenticatedClient(
            base_url=live_server.url, token=token.token, prefix="Token"
        )

    yesterday = timezone.localdate() - timedelta(days=1)
    log = api.v1_hour_logs_create.sync(
        client=signed_in("avery@school.test"),
        body=models.HourLogCreateRequest(
            externship=externship.pk,
            date=yesterday,
            start_time="08:00",
            end_time="12:30",
            break_minutes=30,
            activities="Vital signs, rooming patients",
        ),
    )
    assert isinstance(log, models.HourLog), log
    assert (log.status, log.hours) == (models.LogStatusEnum.PENDING, 4.0)

    approved = api.v1_hour_logs_approve_create.sync(log.id, client=signed_in("sam@clinic.test"))
    assert isinstance(approved, models.HourLog), approved
    assert approved.status == models.LogStatusEnum.APPROVED
    assert HourLog.objects.get(pk=log.id).status == LogStatus.APPROVED
