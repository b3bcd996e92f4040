from abc import ABC, abstractmethod


class SMSError(Exception):
    """The provider refused or could not be reached; the message says why."""


class SMSBackend(ABC):
    @abstractmethod
    def send(self, *, to: str, body: str) -> str:
        """Send one text and return the provider's id for it; raise SMSError on failure."""
