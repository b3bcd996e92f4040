"""Domain errors that services raise; the API's exception handler maps each to a 4xx answer."""

from math import ceil


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


class AlreadyApplied(NotAllowed):
    """The same email or phone already has an application for the cohort. Says nothing of it:
    anyone can type someone else's email; its status link goes to the address on it instead."""

    code = "already_applied"

    def __init__(self) -> None:
        super().__init__(
            "An application with this email address or phone number already exists for this "
            "class. For privacy we do not show it here: we have emailed the link to its status "
            "page to the email address on that application."
        )


class TooManyFailedSignIns(DomainError):
    """The account had too many wrong passwords in a row and waits before its next attempt
    (accounts/failed_sign_ins.py); raised before the password is checked."""

    status_code = 429
    code = "too_many_failed_sign_ins"

    def __init__(self, wait: int) -> None:
        minutes = ceil(wait / 60)
        super().__init__(
            "Too many failed sign-ins for this account. Try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        )
        self.wait = wait
