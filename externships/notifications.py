"""Emails about clinical logs, sent by background tasks after commit through messaging: to a
student they are about their own studies (they always go); to a supervisor or coach, work mail.
A supervisor hears of new logs in a daily summary (externships.digests); a log the student marks
urgent is emailed alone, at once, with a link for that log only."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from backend.dates import day
from externships.models import ComplianceDocument, HourLog, ProcedureLog, log_in_words, log_kind
from externships.review_links import review_link_token
from messaging import services as messaging
from messaging.models import MessageChannel, Purpose


def queue_review_request(log: HourLog | ProcedureLog) -> None:
    kind, log_id = log_kind(log), log.pk
    transaction.on_commit(lambda: send_review_request.enqueue(kind, log_id))


def queue_decision_notice(log: HourLog | ProcedureLog) -> None:
    kind, log_id = log_kind(log), log.pk
    transaction.on_commit(lambda: send_decision_notice.enqueue(kind, log_id))


def _load(kind: str, log_id: int) -> HourLog | ProcedureLog:
    model = HourLog if kind == "hour" else ProcedureLog
    return model.objects.select_related("externship__supervisor", "externship__student__user").get(
        pk=log_id
    )


@task()
def send_review_request(kind: str, log_id: int) -> None:
    """Email the externship's supervisor a signed link to decide this urgent log, no account
    needed."""
    log = _load(kind, log_id)
    supervisor = log.externship.supervisor
    link = settings.SITE_URL + reverse("review-link", args=[review_link_token(log, supervisor)])
    body = render_to_string(
        "externships/email/review_request.txt",
        {
            "log": log,
            "in_words": log_in_words(log),
            "student": log.externship.student,
            "link": link,
            "site_name": settings.SITE_NAME,
        },
    )
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=supervisor.email,
        recipient=supervisor,
        kind="review_request",
        purpose=Purpose.WORK,
        subject=f"Urgent, please review: {log.externship.student} logged {log}",
        body=body,
    )


@task()
def send_decision_notice(kind: str, log_id: int) -> None:
    log = _load(kind, log_id)
    body = render_to_string(
        "externships/email/decision.txt",
        {
            "log": log,
            "in_words": log_in_words(log),
            "site_url": settings.SITE_URL,
            "site_name": settings.SITE_NAME,
        },
    )
    student = log.externship.student.user
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=student.email,
        recipient=student,
        kind="log_decision",
        subject=f"Your log of {day(log.date)} was {log.get_status_display().lower()}",
        body=body,
    )


@task()
def send_compliance_reminder(document_id: int) -> None:
    """Tell the student and their coach, each in their own email, that a document expires
    within 30 days."""
    document = ComplianceDocument.objects.select_related("student__user", "student__coach").get(
        pk=document_id
    )
    body = render_to_string(
        "externships/email/compliance_reminder.txt",
        {"document": document, "site_name": settings.SITE_NAME},
    )
    subject = f"{document.get_kind_display()} expires on {day(document.expires_on)}"
    student, coach = document.student.user, document.student.coach
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=student.email,
        recipient=student,
        kind="document_expiring",
        subject=subject,
        body=body,
    )
    if coach:
        messaging.send(
            channel=MessageChannel.EMAIL,
            address=coach.email,
            recipient=coach,
            kind="document_expiring",
            purpose=Purpose.WORK,
            subject=subject,
            body=body,
        )
