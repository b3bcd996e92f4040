import sys
import uuid

from messaging.backends.base import SMSBackend


class ConsoleBackend(SMSBackend):
    """Prints each text to standard output (development)."""

    def send(self, *, to: str, body: str) -> str:
        provider_id = f"console-{uuid.uuid4().hex[:12]}"
        sys.stdout.write(f"SMS to {to} ({provider_id}):\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return provider_id
