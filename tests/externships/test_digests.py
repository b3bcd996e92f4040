"""The supervisor's daily summary: one email a day listing the logs waiting for them, with one
signed link to review them all, instead of an email per log; an urgent log is emailed alone.

The cast (tests/externships/conftest.py): `supervisor` at Eastside Clinic (Avery, Blake and Casey),
another supervisor at Mercy Hospital (Drew)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from backend.dates import short_day
from backend.periodic import JOBS
from enrollment.models import Student
from externships.digests import review_digests_queue
from externships.models import HourLog, LogStatus
from externships.services import hour_log_create, log_decide
from messaging.models import Message
from tests.externships.test_pages import today
from tests.externships.test_review_page import competency, shifts


def at(hour: int, minute: int = 0, days_from_now: int = 0) -> datetime:
    """A moment of today (or another day) in the school's time zone."""
    day = today() + timedelta(days=days_from_now)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def send(now: datetime, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return review_digests_queue(now=now)


def digests_to(user: User) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_new_log_sends_no_email_by_itself(
    clinic_students: list[Student], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        shifts(clinic_students[1], 3)

    assert mail.outbox == []


def test_an_urgent_log_is_emailed_to_its_supervisor_at_once(
    clinic_students: list[Student], supervisor: User, django_capture_on_commit_callbacks
) -> None:
    avery = clinic_students[1]
    with django_capture_on_commit_callbacks(execute=True):
        hour_log_create(
            student=avery,
            externship=avery.externships.get(),
            date=today() - timedelta(days=1),
            start_time=time(22),
            end_time=time(6),
            ends_next_day=True,
            activities="Night shift",
            urgent=True,
        )

    (message,) = mail.outbox
    assert message.to == [supervisor.email]
    assert message.subject.startswith("Urgent, please review: Avery Lee logged")
    assert "10:00 p.m. to 6:00 a.m. (next day), 8 hours" in message.subject
    assert "/review/link/" in message.body


def test_one_summary_a_day_per_supervisor_however_often_the_job_runs(
    clinic_students: list[Student],
    drew: Student,
    supervisor: User,
    django_capture_on_commit_callbacks,
) -> None:
    casey, avery, _ = clinic_students
    shifts(avery, 2)
    shifts(casey, 1)
    shifts(drew, 1)

    # The job runs every minute: before 7:00 nothing; from 7:00 one summary per supervisor.
    assert send(at(6, 59), django_capture_on_commit_callbacks) == 0
    assert send(at(7, 0), django_capture_on_commit_callbacks) == 2
    for minute in range(1, 4):
        assert send(at(7, minute), django_capture_on_commit_callbacks) == 0
    assert send(at(18, 0), django_capture_on_commit_callbacks) == 0

    (summary,) = digests_to(supervisor)
    assert summary.subject.startswith("3 logs wait for your review")
    assert len(mail.outbox) == 2  # and one to Drew's supervisor
    assert Message.objects.filter(kind="review_digest").count() == 2
    # The next morning, what still waits is summarised again.
    assert send(at(7, 0, days_from_now=1), django_capture_on_commit_callbacks) == 2


def test_the_summary_lists_only_what_waits_for_that_supervisor(
    clinic_students: list[Student],
    drew: Student,
    supervisor: User,
    django_capture_on_commit_callbacks,
) -> None:
    _, avery, blake = clinic_students
    approved, sent_back, waiting = shifts(avery, 3)
    log_decide(log=approved, decision="approved", by=supervisor)
    log_decide(log=sent_back, decision="needs_info", reason="Which room?", by=supervisor)
    competency(blake, "EHR entry")
    shifts(drew, 1)

    send(at(8), django_capture_on_commit_callbacks)

    (summary,) = digests_to(supervisor)
    body = summary.body
    assert summary.subject.startswith("2 logs wait for your review")
    day = short_day(waiting.date, weekday=True)  # "Tue, Dec 1"
    assert f"Avery Lee (1)\n- {day}: 8:00 a.m. to 4:00 p.m., 8 hours\n" in body
    assert "Blake Ng (1)\n- " in body
    assert "competency: EHR entry" in body
    assert "Casey" not in body
    assert "Drew" not in body
    assert body.count("\n- ") == 2


def test_a_supervisor_with_nothing_waiting_gets_no_summary(
    clinic_students: list[Student], supervisor: User, django_capture_on_commit_callbacks
) -> None:
    (log,) = shifts(clinic_students[1], 1)
    log_decide(log=log, decision="approved", by=supervisor)

    assert send(at(9), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_the_summarys_link_opens_every_waiting_log_and_approves_them(
    clinic_students: list[Student],
    supervisor: User,
    client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    casey, avery, _ = clinic_students
    shifts(avery, 2)
    shifts(casey, 2)
    send(at(7), django_capture_on_commit_callbacks)
    (summary,) = digests_to(supervisor)
    path = re.search(r"https?://[^/\s]+(/review/all/\S+/)", summary.body).group(1)
    assert "the link works for 14 days" in summary.body

    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "4 logs wait, by student." in html
    ids = re.findall(r'name="hour" value="(\d+)" id="select-', html)

    response = client.post(f"{path}approve/", {"hour": ids})

    assert response.status_code == 302
    assert set(HourLog.objects.values_list("status", flat=True)) == {LogStatus.APPROVED}
    assert {d.via for log in HourLog.objects.all() for d in log.decisions.all()} == {"link"}


def test_the_summarys_link_expires_after_14_days(
    clinic_students: list[Student],
    supervisor: User,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    shifts(clinic_students[1], 1)
    fifteen_days_ago = signing.time.time() - 15 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: fifteen_days_ago)
        send(at(7), django_capture_on_commit_callbacks)
    (summary,) = digests_to(supervisor)
    path = re.search(r"https?://[^/\s]+(/review/all/\S+/)", summary.body).group(1)

    response = client.get(path)

    assert response.status_code == 403
    assert "This review link has expired" in response.content.decode()


def test_logs_sent_after_noon_wait_for_the_next_morning(
    clinic_students: list[Student], supervisor: User, django_capture_on_commit_callbacks
) -> None:
    assert send(at(7), django_capture_on_commit_callbacks) == 0  # nothing waits yet
    shifts(clinic_students[1], 1)
    assert send(at(12, 0), django_capture_on_commit_callbacks) == 0
    assert send(at(22, 58), django_capture_on_commit_callbacks) == 0
    assert send(at(7, 0, days_from_now=1), django_capture_on_commit_callbacks) == 1


def summary_path(supervisor: User, django_capture_on_commit_callbacks) -> str:
    send(at(7), django_capture_on_commit_callbacks)
    (summary,) = digests_to(supervisor)
    return re.search(r"https?://[^/\s]+(/review/all/\S+/)", summary.body).group(1)


def test_the_summarys_link_decides_only_as_a_site_supervisor(
    clinic_students: list[Student],
    drew: Student,
    supervisor: User,
    client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    """A director who also supervises at a site: the emailed link, which needs no sign-in,
    reaches only the logs at their site, never the whole school's."""
    supervisor.groups.add(Group.objects.get_or_create(name=Role.ADMIN)[0])
    shifts(clinic_students[1], 1)
    [elsewhere] = shifts(drew, 1)
    path = summary_path(supervisor, django_capture_on_commit_callbacks)

    html = client.get(path).content.decode()
    assert "Avery Lee" in html
    assert "Drew Ito" not in html
    response = client.post(
        f"{path}hour/{elsewhere.pk}/", {f"hour-{elsewhere.pk}-decision": "approved"}
    )
    assert response.status_code == 404
    client.post(f"{path}approve/", {"hour": [elsewhere.pk]})
    elsewhere.refresh_from_db()
    assert elsewhere.status == LogStatus.PENDING


def test_a_new_password_ends_the_summarys_link(
    clinic_students: list[Student],
    supervisor: User,
    client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    shifts(clinic_students[1], 1)
    path = summary_path(supervisor, django_capture_on_commit_callbacks)
    supervisor.set_password("a-new-password-1234")
    supervisor.save()

    response = client.get(path)

    assert response.status_code == 403
    assert "no longer valid" in response.content.decode()


def test_the_summary_is_a_registered_periodic_job() -> None:
    assert JOBS["externships.tasks.send_review_digests"].__doc__.startswith(
        "Each supervisor's daily summary"
    )
