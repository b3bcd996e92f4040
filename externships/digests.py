"""The supervisor's daily summary: one email a day listing every log waiting for them, with one
signed link to review them all (externships.review_links), instead of an email per log. An
urgent log still goes alone, at once (externships.notifications).

Sent by the periodic job (externships.tasks) in the morning, from 7:00 to noon in the school's
time zone (never late at night: logs sent after noon wait for the next morning), at most once a
day per supervisor however often the job runs: the message's `once_key` (supervisor and day) is
unique in the message log, so a second run, even a concurrent one, queues nothing."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from enrollment.models import Student
from externships.deciders import supervised_logs
from externships.models import HourLog, LogStatus, ProcedureLog, log_in_words
from externships.review_links import REVIEW_LINK_MAX_AGE, review_all_token
from messaging import services as messaging
from messaging.emails import render_email
from messaging.models import Message, MessageChannel, Purpose

REVIEW_DIGEST = "review_digest"
# The summary goes out with the first run of the job in this window, school time.
DIGEST_FROM, DIGEST_UNTIL = time(7), time(12)
MODELS: tuple[type[HourLog] | type[ProcedureLog], ...] = (HourLog, ProcedureLog)


@dataclass
class Waiting:
    """One student's logs waiting for a supervisor, oldest first."""

    student: Student
    logs: list[HourLog | ProcedureLog] = field(default_factory=list)


def digest_key(supervisor: User, day: date) -> str:
    return f"review-digest:{supervisor.pk}:{day.isoformat()}"


def waiting_for(supervisor: User) -> list[Waiting]:
    """The pending logs `supervisor` decides as a site supervisor, by student (by name), oldest
    first: what the summary's link may decide."""
    by_student: dict[int, Waiting] = {}
    for model in MODELS:
        pending = supervised_logs(supervisor, model).filter(status=LogStatus.PENDING)
        for log in pending.select_related("externship__student__user"):
            student = log.externship.student
            by_student.setdefault(student.pk, Waiting(student)).logs.append(log)
    groups = sorted(by_student.values(), key=lambda w: (str(w.student).lower(), w.student.pk))
    for group in groups:
        group.logs.sort(key=lambda log: (log.date, log.submitted_at))
    return groups


def review_digests_queue(*, now: datetime | None = None) -> int:
    """Queue today's summary for every supervisor with logs waiting who has not had one today;
    returns how many were queued."""
    local = timezone.localtime(now or timezone.now())
    if not DIGEST_FROM <= local.time() < DIGEST_UNTIL:
        return 0
    day = local.date()
    supervisor_ids = {
        pk
        for model in MODELS
        for pk in model.objects.filter(status=LogStatus.PENDING)
        .order_by()
        .values_list("externship__supervisor", flat=True)
        .distinct()
    }
    supervisors = User.objects.filter(pk__in=supervisor_ids, is_active=True).order_by("pk")
    sent = set(
        Message.objects.filter(
            channel=MessageChannel.EMAIL,
            once_key__in=[digest_key(supervisor, day) for supervisor in supervisors],
        ).values_list("once_key", flat=True)
    )
    queued = 0
    for supervisor in supervisors:
        if digest_key(supervisor, day) in sent:
            continue
        queued += _queue_digest(supervisor, day) is not None
    return queued


def _queue_digest(supervisor: User, day: date) -> Message | None:
    groups = waiting_for(supervisor)
    count = sum(len(group.logs) for group in groups)
    if not count:
        return None
    link = settings.SITE_URL + reverse("review-all-link", args=[review_all_token(supervisor)])
    headline = f"{count} log{pluralize(count)} wait{pluralize(count, 's,')} for your review"
    email = render_email(
        "externships/email/review_digest.html",
        {
            "supervisor": supervisor,
            "headline": headline,
            "day": day,
            "groups": [
                (group.student, [log_in_words(log) for log in group.logs]) for group in groups
            ],
            "link": link,
            "days": REVIEW_LINK_MAX_AGE.days,
        },
    )
    return messaging.queue(
        channel=MessageChannel.EMAIL,
        address=supervisor.email,
        recipient=supervisor,
        kind=REVIEW_DIGEST,
        purpose=Purpose.WORK,
        subject=email.subject,
        body=email.text,
        html=email.html,
        once_key=digest_key(supervisor, day),
    )
