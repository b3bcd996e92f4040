from dataclasses import dataclass

from messaging.backends.base import SMSBackend


@dataclass(frozen=True)
class SentText:
    to: str
    body: str
    provider_id: str


# Like django.core.mail.outbox: tests read and clear it.
outbox: list[SentText] = []


class LocmemBackend(SMSBackend):
    def send(self, *, to: str, body: str) -> str:
        provider_id = f"locmem-{len(outbox) + 1}"
        outbox.append(SentText(to=to, body=body, provider_id=provider_id))
        return provider_id
