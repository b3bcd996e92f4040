"""Emails about clinical logs, sent by background tasks after commit through messaging: to a
student they are about their own studies (they always go); to a supervisor or coach, work mail.
A supervisor hears of new logs in a daily summary (externships.digests); a log the student marks
urgent is emailed alone, at once, with a link for that log only."""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from backend.outbox import enqueue_with_change
from externships.models import ComplianceDocument, HourLog, ProcedureLog, log_in_words, log_kind
from externships.review_links import review_link_token
from messaging import services as messaging
from messaging.emails import render_email
from messaging.models import MessageChannel, Purpose


def queue_review_request(log: HourLog | ProcedureLog) -> None:
    enqueue_with_change(send_review_request, log_kind(log), log.pk)


def queue_decision_notice(log: HourLog | ProcedureLog) -> None:
    enqueue_with_change(send_decision_notice, log_kind(log), log.pk)


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
    email = render_email(
        "externships/email/review_request.html",
        {
            "log": log,
            "in_words": log_in_words(log),
            "student": log.externship.student,
            "supervisor": supervisor,
            "link": link,
        },
    )
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=supervisor.email,
        recipient=supervisor,
        kind="review_request",
        purpose=Purpose.WORK,
        subject=email.subject,
        body=email.text,
        html=email.html,
    )


@task()
def send_decision_notice(kind: str, log_id: int) -> None:
    log = _load(kind, log_id)
    student = log.externship.student.user
    email = render_email(
        "externships/email/decision.html",
        {"log": log, "in_words": log_in_words(log), "student": student},
    )
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=student.email,
        recipient=student,
        kind="log_decision",
        subject=email.subject,
        body=email.text,
        html=email.html,
    )


@task()
def send_compliance_reminder(document_id: int) -> None:
    """Tell the student and their coach, each in their own email, that a document expires
    within 30 days: the student's speaks to them, the coach's to the coach, about the student."""
    document = ComplianceDocument.objects.select_related("student__user", "student__coach").get(
        pk=document_id
    )
    student, coach = document.student, document.student.coach
    template = "externships/email/compliance_reminder.html"
    email = render_email(template, {"document": document, "student": student})
    messaging.send(
        channel=MessageChannel.EMAIL,
        address=student.user.email,
        recipient=student.user,
        kind="document_expiring",
        subject=email.subject,
        body=email.text,
        html=email.html,
    )
    if coach:
        page_url = settings.SITE_URL + reverse("coach-student", args=[student.pk])
        email = render_email(
            template,
            {"document": document, "student": student, "coach": coach, "page_url": page_url},
        )
        messaging.send(
            channel=MessageChannel.EMAIL,
            address=coach.email,
            recipient=coach,
            kind="document_expiring",
            purpose=Purpose.WORK,
            subject=email.subject,
            body=email.text,
            html=email.html,
        )
