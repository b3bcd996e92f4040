"""The signed links that let one supervisor decide one log without signing in (emailed by
externships.notifications, opened by the review-link page); who may decide is
externships.deciders'."""

from datetime import timedelta

from django.core import signing

from accounts.models import User
from backend.errors import NotAllowed
from externships.deciders import can_decide
from externships.models import HourLog, ProcedureLog, log_kind

REVIEW_LINK_SALT = "externships.review-link"
REVIEW_LINK_MAX_AGE = timedelta(days=14)


def review_link_token(log: HourLog | ProcedureLog, supervisor: User) -> str:
    """A signed, expiring token that lets one supervisor decide one log, with no login."""
    return signing.dumps(
        {"kind": log_kind(log), "log": log.pk, "by": supervisor.pk}, salt=REVIEW_LINK_SALT
    )


def review_link_open(token: str) -> tuple[HourLog | ProcedureLog, User]:
    """The log and supervisor a token names; NotAllowed when forged, expired or no longer valid."""
    try:
        payload = signing.loads(token, salt=REVIEW_LINK_SALT, max_age=REVIEW_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise NotAllowed("This review link has expired; sign in to review the log.") from None
    except signing.BadSignature:
        raise NotAllowed("This review link is not valid.") from None
    model = HourLog if payload.get("kind") == "hour" else ProcedureLog
    log = (
        model.objects.select_related("externship__site", "externship__student__user")
        .filter(pk=payload.get("log"))
        .first()
    )
    supervisor = User.objects.filter(pk=payload.get("by"), is_active=True).first()
    if log is None or supervisor is None or not can_decide(supervisor, log):
        raise NotAllowed("This review link is no longer valid.")
    return log, supervisor
