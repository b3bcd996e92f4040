"""Domain errors that services raise; the API's exception handler maps each to a 4xx answer."""


class DomainError(Exception):
    """A rule of the school was broken; the message is shown to the person who asked."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The object's current state does not allow the change (e.g. accepting an expired offer)."""

    status_code = 409
    code = "conflict"


class RuleViolation(DomainError):
    """The input is well formed but breaks a domain rule; usually names the field."""

    status_code = 400
    code = "invalid"
