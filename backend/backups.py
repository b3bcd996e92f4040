"""Backups: the database and the stored files (MEDIA_ROOT: exported PDFs) in one tar.gz with a
small manifest, and their restore into an empty database (`manage.py backup`, `manage.py restore`).

SQLite is copied with its online backup API (`sqlite3.Connection.backup`: a consistent copy while
the site runs); PostgreSQL with `pg_dump --format=custom` and restored with `pg_restore`, found on
PATH or under /usr/lib/postgresql/*/bin. The database is copied first and the files after, so
the files the copied database names are in the archive (but for one an export replaced in
between)."""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from glob import glob
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def postgres_tool(name: str) -> str | None:
    """A PostgreSQL client program (pg_dump, pg_restore, createdb...): on PATH, else the newest
    under /usr/lib/postgresql/*/bin (Debian installs them there), else None."""
    found = shutil.which(name)
    if found:
        return found
    versions = glob(f"/usr/lib/postgresql/*/bin/{name}")
    versions.sort(key=lambda path: int(Path(path).parent.parent.name.split(".")[0] or 0))
    return versions[-1] if versions else None


def postgres_command(tool: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """A PostgreSQL client command line and environment for the default database (its password
    in PGPASSWORD, never on the command line)."""
    path = postgres_tool(tool)
    if path is None:
        raise BackupError(
            f"{tool} not found on PATH or under /usr/lib/postgresql/*/bin: install PostgreSQL's "
            "client programs (apt-get install postgresql-client)."
        )
    params = connection.settings_dict
    command = [path, "--no-password"]
    for flag, value in (("--host", params["HOST"]), ("--port", params["PORT"])):
        if value:
            command += [flag, str(value)]
    if params["USER"]:
        command += ["--username", params["USER"]]
    env = dict(os.environ)
    if params["PASSWORD"]:
        env["PGPASSWORD"] = params["PASSWORD"]
    if sslmode := params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return [*command, *args], env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups cover SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _copy_database(into: Path) -> None:
    if _vendor() == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
        target = sqlite3.connect(into)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    command, env = postgres_command(
        "pg_dump", "--format=custom", f"--file={into}", connection.settings_dict["NAME"]
    )
    _run(command, env)


def _latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        latest[app] = max(latest.get(app, name), name)
    return latest


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.is_dir() else []


def backup(archive: Path) -> dict:
    """Write the database and every stored file into `archive` (tar.gz, readable by its owner
    only: it holds every student's record); returns its manifest."""
    vendor = _vendor()
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pathway-backup-") as scratch:
        database = Path(scratch) / DATABASE_FILES[vendor]
        _copy_database(database)
        files = _media_files()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "database": {
                "vendor": vendor,
                "file": database.name,
                "migrations": _latest_migrations(),
            },
            "media": {"files": len(files), "bytes": sum(path.stat().st_size for path in files)},
        }
        (Path(scratch) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial = archive.with_name(archive.name + ".partial")
        partial.unlink(missing_ok=True)  # left by a backup cut short
        partial.touch(mode=0o600)
        root = Path(settings.MEDIA_ROOT)
        with tarfile.open(partial, mode="w:gz") as tar:
            tar.add(Path(scratch) / MANIFEST, arcname=MANIFEST)
            tar.add(database, arcname=database.name)
            for path in files:
                tar.add(path, arcname=str(PurePosixPath("media", path.relative_to(root))))
        partial.replace(archive)  # a backup cut short never passes for a whole one
    return manifest


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member is not None else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Pathway backup: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Pathway backup of format {FORMAT}.")
    return manifest


def _extract(archive: Path, into: Path) -> None:
    """Regular files and folders only, each inside `into` (never an absolute path, `..`, a link
    or a device from a doctored archive)."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
                raise BackupError(f"{archive} holds an unsafe entry: {member.name}")
            target = into.joinpath(*path.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)


def _holds_tables() -> bool:
    if connection.vendor == "sqlite":
        # A new SQLite database may not exist yet, nor its folder: it is made by the restore.
        name = Path(connection.settings_dict["NAME"])
        name.parent.mkdir(parents=True, exist_ok=True)
        if not name.exists():
            return False
    with connection.cursor() as cursor:
        return bool(connection.introspection.table_names(cursor))


def restore(archive: Path, *, replace: bool = False) -> tuple[dict, int]:
    """Put a backup back: the database into the configured one, which must be empty (a new
    SQLite file; a database just made with createdb) unless `replace`, and the stored files
    into MEDIA_ROOT. Returns the manifest and how many migrations of this code are newer than
    the backup (run `migrate` for them)."""
    manifest = read_manifest(archive)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This backup holds a {manifest['database']['vendor']} database; DATABASE_URL points "
            f"at {vendor}. Restore it into the same kind of database."
        )
    media = Path(settings.MEDIA_ROOT)
    if not replace and _holds_tables():
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} already holds tables: restore "
            "into an empty one (createdb a new database, or a new SQLite file), or pass "
            "--replace to overwrite it."
        )
    if not replace and media.is_dir() and any(media.iterdir()):
        raise BackupError(
            f"MEDIA_ROOT ({media}) already holds files: restore into an empty folder, or pass "
            "--replace to overwrite them."
        )
    with tempfile.TemporaryDirectory(prefix="pathway-restore-") as scratch:
        _extract(archive, Path(scratch))
        database = Path(scratch) / manifest["database"]["file"]
        _restore_database(database, replace=replace)
        if (Path(scratch) / "media").is_dir():
            shutil.copytree(Path(scratch) / "media", media, dirs_exist_ok=True)
    executor = MigrationExecutor(connection)
    newer = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return manifest, len(newer)


def _restore_database(database: Path, *, replace: bool) -> None:
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        connection.close()
        source = sqlite3.connect(database)
        target = sqlite3.connect(name, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if replace:
        args += ["--clean", "--if-exists"]
    command, env = postgres_command(
        "pg_restore", *args, f"--dbname={connection.settings_dict['NAME']}", str(database)
    )
    connection.close()
    _run(command, env)
