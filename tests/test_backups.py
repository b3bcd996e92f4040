"""Backups (README "Operating"): `manage.py backup` writes the database and the stored PDFs into
one tar.gz with a manifest; `manage.py restore`, run as an operator would on a fresh install,
puts them into an empty database (a new SQLite file; on PostgreSQL a database made with createdb
under a unique name, dropped afterwards) and MEDIA_ROOT, and the site then finds its
applications, students and stored PDF. On PostgreSQL the test is skipped with the reason where
pg_dump and its companions are missing, unless REQUIRE_POSTGRES=1."""

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backend.backups import postgres_command, postgres_tool
from documents.exports import export_start
from documents.models import ExportJob
from enrollment.models import Application, Student
from tests.conftest import unavailable
from tests.factories import ApplicationFactory, StudentFactory, UserFactory
from tests.processes import ROOT, child_environment, database_url

pytestmark = pytest.mark.django_db(transaction=True)

# What the restored site holds, read through the app's own models.
CHECK_CODE = """
import hashlib, json
from documents.models import ExportJob
from enrollment.models import Application, Student
job = ExportJob.objects.get(status="ready")
print(json.dumps({
    "applications": sorted(Application.objects.values_list("email", flat=True)),
    "students": sorted(Student.objects.values_list("user__email", flat=True)),
    "pdf": [job.file.name, hashlib.sha256(job.file.read()).hexdigest()],
}))
"""


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def postgres_tools() -> None:
    """On PostgreSQL, pg_dump and its companions, or a skip with the reason."""
    if connection.vendor != "postgresql":
        return
    missing = [t for t in ("pg_dump", "pg_restore", "createdb", "dropdb") if not postgres_tool(t)]
    if missing:
        unavailable(
            f"{', '.join(missing)} not found on PATH or under /usr/lib/postgresql/*/bin",
            "REQUIRE_POSTGRES",
            "backup test skipped",
        )


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a new, empty database: a fresh SQLite file, or a PostgreSQL database made
    with createdb under a unique name and dropped afterwards."""
    if connection.vendor == "sqlite":
        yield database_url(str(tmp_path / "restored" / "db.sqlite3"))
        return
    name = f"pathway_restore_{uuid.uuid4().hex[:12]}"
    command, env = postgres_command("createdb", name)
    subprocess.run(command, env=env, check=True, capture_output=True)
    try:
        yield database_url(name)
    finally:
        command, env = postgres_command("dropdb", "--if-exists", "--force", name)
        subprocess.run(command, env=env, check=True, capture_output=True)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _school_with_a_stored_pdf(admin: object) -> tuple[str, str, bytes]:
    """An applicant, a student and their cohort's roster exported and stored (the task runs at
    once here); the two emails and the PDF."""
    ApplicationFactory(email="kept.applicant@example.com")
    student = StudentFactory(user=UserFactory(email="kept.student@example.com"))
    export_start(kind="roster", cohort=student.cohort, by=admin)
    job = ExportJob.objects.get()
    assert job.status == "ready"
    return "kept.applicant@example.com", "kept.student@example.com", job.file.read()


def test_a_backup_restored_into_an_empty_database_holds_the_schools_records_and_pdfs(
    admin_user, tmp_path: Path, postgres_tools: None
) -> None:
    applicant, student, pdf = _school_with_a_stored_pdf(admin_user)
    archive = tmp_path / "backups" / "pathway.tar.gz"
    out = io.StringIO()

    call_command("backup", str(archive), stdout=out)

    assert f"into {archive}" in out.getvalue()
    assert archive.stat().st_mode & 0o777 == 0o600  # every student's record is in it
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["migrations"]["documents"].startswith("0002")
    assert manifest["media"] == {"files": 1, "bytes": len(pdf)}
    assert manifest["database"]["file"] in names
    stored = ExportJob.objects.get().file.name
    assert f"media/{stored}" in names

    with empty_database(tmp_path) as url:
        env = child_environment(DATABASE_URL=url, MEDIA_ROOT=str(tmp_path / "restored-media"))
        restored = _manage("restore", str(archive), env=env)
        assert restored.returncode == 0, restored.stderr
        assert "Restored the" in restored.stdout
        assert "newer than the backup" not in restored.stdout
        assert _manage("migrate", "--check", env=env).returncode == 0  # the schema is complete
        check = _manage("shell", "-c", CHECK_CODE, env=env)
        assert check.returncode == 0, check.stderr
        found = json.loads(check.stdout.strip().splitlines()[-1])

    assert applicant in found["applications"]
    assert found["students"] == [student]
    assert found["pdf"] == [stored, hashlib.sha256(pdf).hexdigest()]
    assert (tmp_path / "restored-media" / stored).read_bytes() == pdf


def test_restore_refuses_a_database_that_already_holds_records(
    admin_user, tmp_path: Path, postgres_tools: None
) -> None:
    _school_with_a_stored_pdf(admin_user)
    archive = tmp_path / "pathway.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    ApplicationFactory(email="after.the.backup@example.com")

    with pytest.raises(CommandError, match="already holds tables: restore into an empty one"):
        call_command("restore", str(archive))

    assert Application.objects.filter(email="after.the.backup@example.com").exists()
    assert Student.objects.count() == 1


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not an archive")

    with pytest.raises(CommandError, match="is not a Pathway backup"):
        call_command("restore", str(bogus))
