"""The signed links that let a supervisor decide without signing in: one log (an urgent log's
email) or every log waiting for them (the daily summary's link), both emailed by
externships.notifications and opened by the review-link pages; who may decide is
externships.deciders'."""

from datetime import timedelta

from django.core import signing

from accounts.models import User
from backend.errors import NotAllowed
from externships.deciders import DECIDER_ROLES, can_decide
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


REVIEW_ALL_SALT = "externships.review-all-link"


def review_all_token(supervisor: User) -> str:
    """A signed token, expiring like a one-log link, that lets a supervisor review every log
    waiting for them (the daily summary's link), with no login."""
    return signing.dumps({"by": supervisor.pk}, salt=REVIEW_ALL_SALT)


def review_all_open(token: str) -> User:
    """The supervisor a review-all token names; NotAllowed when forged, expired or when they no
    longer supervise (the logs listed are those `decidable_logs` gives them today)."""
    try:
        payload = signing.loads(token, salt=REVIEW_ALL_SALT, max_age=REVIEW_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise NotAllowed("This review link has expired; sign in to review the logs.") from None
    except signing.BadSignature:
        raise NotAllowed("This review link is not valid.") from None
    supervisor = User.objects.filter(pk=payload.get("by"), is_active=True).first()
    if supervisor is None or not supervisor.has_role(*DECIDER_ROLES):
        raise NotAllowed("This review link is no longer valid.")
    return supervisor
