from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, which must be "
        "empty (a new SQLite file, or a database just made with createdb), and MEDIA_ROOT. Stop "
        "the web server, the worker and the periodic jobs first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz that `manage.py backup` wrote")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database that already holds tables, and the files in MEDIA_ROOT",
        )

    def handle(self, *args: object, archive: str, replace: bool, **options: object) -> None:
        try:
            manifest, newer = restore(Path(archive), replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the {manifest['database']['vendor']} database and "
            f"{manifest['media']['files']} stored file(s) from the backup of "
            f"{manifest['created_at']}."
        )
        if newer:
            self.stdout.write(
                f"This code has {newer} migration(s) newer than the backup: run "
                "`python manage.py migrate` before serving."
            )
