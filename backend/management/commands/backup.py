from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backend.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the stored PDFs (MEDIA_ROOT) into one tar.gz with a manifest; "
        "safe while the site runs. `manage.py restore` puts it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive",
            nargs="?",
            help="where to write it (default var/backups/pathway-<date>-<time>.tar.gz)",
        )

    def handle(self, *args: object, archive: str | None, **options: object) -> None:
        if archive is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.BASE_DIR) / "var" / "backups" / f"pathway-{stamp}.tar.gz"
        else:
            path = Path(archive)
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        media = manifest["media"]
        self.stdout.write(
            f"Backed up the {manifest['database']['vendor']} database and {media['files']} "
            f"stored file(s) ({media['bytes']} bytes) into {path}"
        )
