import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from messaging.backends.base import SMSBackend


class FileBackend(SMSBackend):
    """Writes each text to its own file in SMS_FILE_PATH (demos and staging)."""

    def send(self, *, to: str, body: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{uuid.uuid4().hex[:12]}"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        (folder / f"{stamp}-{provider_id}.txt").write_text(f"To: {to}\n\n{body}\n")
        return provider_id
