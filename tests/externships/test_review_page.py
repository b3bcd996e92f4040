"""/review/ for a day's worth of logs: grouped by student with each student's approved totals in
view, "Approve all" per student (no script needed), checkboxes across students, and the page
returning to the student's group after a decision; and the same page from the daily summary's
signed link, without signing in.

The cast (tests/externships/conftest.py): `supervisor` at Eastside Clinic, where Avery, Blake
and Casey (`clinic_students`) are placed; `drew` at Mercy Hospital, with another supervisor.
"""

import re
from datetime import time, timedelta

from django.test import Client

from accounts.models import User
from backend.dates import short_day
from enrollment.models import Student
from externships import review_links
from externships.models import HourLog, LogDecision, LogStatus, ProcedureLog
from externships.review_links import review_all_token
from externships.services import hour_log_create, log_decide, procedure_log_create
from tests.externships.test_pages import signed_in, text_of, today


def shifts(student: Student, n: int) -> list[HourLog]:
    """`n` eight-hour day shifts on the last `n` days."""
    return [
        hour_log_create(
            student=student,
            externship=student.externships.get(),
            date=today() - timedelta(days=day),
            start_time=time(8),
            end_time=time(16),
            activities=f"Clinic day {day}",
        )
        for day in range(1, n + 1)
    ]


def competency(student: Student, name: str) -> ProcedureLog:
    return procedure_log_create(
        student=student,
        externship=student.externships.get(),
        date=today() - timedelta(days=1),
        kind="competency",
        competency=name,
    )


def group_of(html: str, student: Student) -> str:
    match = re.search(
        rf'<section class="student-group" id="student-{student.pk}".*?</section>', html, re.S
    )
    assert match, f"no group for {student}"
    return match.group(0)


def test_pending_logs_are_grouped_by_student_with_their_approved_totals(
    clinic_students: list[Student], drew: Student, supervisor: User
) -> None:
    _, avery, blake = clinic_students
    log_decide(log=shifts(avery, 3)[0], decision="approved", by=supervisor)
    competency(avery, "Injections")
    shifts(blake, 2)
    shifts(drew, 1)

    html = text_of(signed_in(supervisor).get("/review/"))

    assert "5 logs wait, by student." in html
    headings = re.findall(r'<h2 id="student-\d+-name">([^<]+)</h2>', html)
    assert headings == ["Avery Lee", "Blake Ng"]  # by name; Casey has nothing waiting
    avery_group = group_of(html, avery)
    assert 'Approved so far: <span class="total">8 of 160 hours</span> · ' in avery_group
    assert '<span class="total">0 of 3 competencies</span>' in avery_group
    assert avery_group.count('class="log-card"') == 3  # two shifts and the competency
    assert "Approve all 3 of Avery's logs" in avery_group
    assert "Approve all 2 of Blake's logs" in group_of(html, blake)
    assert "Drew" not in html


def test_approve_all_of_one_student_returns_to_their_group_with_the_new_total(
    clinic_students: list[Student], supervisor: User
) -> None:
    _, avery, blake = clinic_students
    avery_logs = shifts(avery, 3)
    blake_logs = shifts(blake, 2)
    client = signed_in(supervisor)
    form = re.search(
        r'<form method="post" action="/review/approve/">(.*?)</form>',
        group_of(client.get("/review/").content.decode(), avery),
        re.S,
    ).group(1)
    posted = re.findall(r'name="(hour|procedure)" value="(\d+)"', form)

    response = client.post("/review/approve/", {"hour": [pk for kind, pk in posted]})

    assert response.status_code == 302
    assert response.url == f"/review/#student-{avery.pk}"
    assert {log.status for log in HourLog.objects.filter(externship__student=avery)} == {"approved"}
    assert {log.status for log in HourLog.objects.filter(externship__student=blake)} == {"pending"}
    assert sorted(int(pk) for _, pk in posted) == sorted(log.pk for log in avery_logs)
    html = text_of(client.get("/review/"))
    # Avery's group stays, says what happened, and shows the total the approval made.
    avery_group = group_of(html, avery)
    assert 'role="status">Approved 3 logs of Avery Lee.</p>' in avery_group
    assert '<span class="total">24 of 160 hours</span>' in avery_group
    assert "Nothing else waits from Avery." in avery_group
    assert len(blake_logs) == group_of(html, blake).count('class="log-card"')
    # The message is not repeated at the top of the page.
    assert html.count("Approved 3 logs of Avery Lee.") == 1
    # A second look: the group has left the page with its message.
    assert f'id="student-{avery.pk}"' not in client.get("/review/").content.decode()


def test_checked_logs_of_several_students_are_approved_together(
    clinic_students: list[Student], supervisor: User
) -> None:
    casey, avery, blake = clinic_students
    first, _ = shifts(avery, 2)
    checklist = competency(blake, "EHR entry")
    left = shifts(casey, 1)[0]
    client = signed_in(supervisor)

    response = client.post("/review/approve/", {"hour": [first.pk], "procedure": [checklist.pk]})

    assert response.url == f"/review/#student-{avery.pk}"  # the first group acted on
    statuses = dict(HourLog.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[left.pk]) == ("approved", "pending")
    html = text_of(client.get("/review/"))
    assert "Approved 1 log of Avery Lee." in group_of(html, avery)
    blake_group = group_of(html, blake)
    assert "Approved 1 log of Blake Ng." in blake_group
    assert '<span class="total">1 of 3 competencies</span>' in blake_group


def test_a_single_decision_returns_to_the_students_group(
    clinic_students: list[Student], supervisor: User
) -> None:
    _, avery, _ = clinic_students
    log, _ = shifts(avery, 2)
    client = signed_in(supervisor)

    response = client.post(f"/review/hour/{log.pk}/", {f"hour-{log.pk}-decision": "approved"})

    assert response.url == f"/review/#student-{avery.pk}"
    group = group_of(text_of(client.get("/review/")), avery)
    day = short_day(log.date, weekday=True)  # "Thu, Dec 3"
    assert f"{day}: 8:00 a.m. to 4:00 p.m., 8 hours: approved." in group
    assert '<span class="total">8 of 160 hours</span>' in group


def test_a_rejection_without_a_reason_opens_the_rows_reason_with_its_error(
    clinic_students: list[Student], supervisor: User
) -> None:
    _, avery, _ = clinic_students
    (log,) = shifts(avery, 1)

    response = signed_in(supervisor).post(
        f"/review/hour/{log.pk}/", {f"hour-{log.pk}-decision": "rejected"}
    )

    assert response.status_code == 400
    row = re.search(rf'<li id="log-hour-{log.pk}".*?</li>\s*</ul>', text_of(response)).group(0)
    assert "<details open>" in row
    assert "Say why, so the student can put it right." in row


def test_the_review_page_reads_a_fixed_number_of_queries(
    clinic_students: list[Student], supervisor: User, django_assert_num_queries
) -> None:
    for student in clinic_students:
        shifts(student, 10)
        competency(student, "Vital signs")
    client = signed_in(supervisor)
    # session, user, the user's groups; the pending hour logs, then procedure logs; the students
    # with their editions; the editions' requirements; their approved evidence (one query); the
    # navigation's look for the user's student record
    with django_assert_num_queries(9):
        response = client.get("/review/")
    assert response.content.decode().count('class="log-card"') == 33


def test_the_page_works_without_script_and_select_all_only_appears_with_it(
    clinic_students: list[Student], supervisor: User
) -> None:
    shifts(clinic_students[1], 2)

    html = signed_in(supervisor).get("/review/").content.decode()

    assert '<script src="/static/externships/review.js" defer></script>' in html
    assert "<script>" not in html  # the policy allows no inline script
    for box in re.findall(r'<div class="field check select-all"[^>]*>', html):
        assert " hidden" in box


# -- the daily summary's link, without signing in ------------------------------------------------


def test_the_summary_link_lists_every_log_waiting_for_its_supervisor(
    clinic_students: list[Student], drew: Student, supervisor: User, client: Client
) -> None:
    _, avery, blake = clinic_students
    shifts(avery, 2)
    shifts(blake, 1)
    shifts(drew, 1)

    response = client.get(f"/review/all/{review_all_token(supervisor)}/")

    assert response.status_code == 200
    html = text_of(response)
    assert "3 logs wait, by student." in html
    assert "Drew" not in html
    token = review_all_token(supervisor)
    assert f'action="/review/all/{token}/approve/"' in html


def test_approving_all_of_a_student_through_the_link_is_recorded_as_the_link(
    clinic_students: list[Student], supervisor: User, client: Client
) -> None:
    _, avery, _ = clinic_students
    logs = shifts(avery, 2)
    page = f"/review/all/{review_all_token(supervisor)}/"

    response = client.post(f"{page}approve/", {"hour": [log.pk for log in logs]})

    assert response.status_code == 302
    assert response.url == f"{page}#student-{avery.pk}"
    decisions = LogDecision.objects.all()
    assert [(d.decided_by, d.via, d.decision) for d in decisions] == [
        (supervisor, "link", "approved")
    ] * 2
    assert "Approved 2 logs of Avery Lee." in client.get(page).content.decode()


def test_a_row_decided_through_the_link_needs_a_reason_to_send_back(
    clinic_students: list[Student], supervisor: User, client: Client
) -> None:
    (log,) = shifts(clinic_students[1], 1)
    page = f"/review/all/{review_all_token(supervisor)}/"

    refused = client.post(f"{page}hour/{log.pk}/", {f"hour-{log.pk}-decision": "needs_info"})
    sent_back = client.post(
        f"{page}hour/{log.pk}/",
        {f"hour-{log.pk}-decision": "needs_info", f"hour-{log.pk}-reason": "Which room?"},
    )

    assert refused.status_code == 400
    assert sent_back.status_code == 302
    log.refresh_from_db()
    assert (log.status, log.decisions.get().via) == (LogStatus.NEEDS_INFO, "link")


def test_the_link_reaches_no_log_of_another_site(
    clinic_students: list[Student], drew: Student, supervisor: User, client: Client
) -> None:
    (theirs,) = shifts(drew, 1)
    page = f"/review/all/{review_all_token(supervisor)}/"

    decided = client.post(f"{page}hour/{theirs.pk}/", {f"hour-{theirs.pk}-decision": "approved"})
    bulk = client.post(f"{page}approve/", {"hour": [theirs.pk]})

    assert decided.status_code == 404
    assert bulk.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == LogStatus.PENDING


def test_the_link_expires_like_a_one_log_link(
    clinic_students: list[Student], supervisor: User, client: Client, monkeypatch
) -> None:
    (log,) = shifts(clinic_students[1], 1)
    token = review_all_token(supervisor)
    monkeypatch.setattr(review_links, "REVIEW_LINK_MAX_AGE", timedelta(seconds=-1))

    opened = client.get(f"/review/all/{token}/")
    posted = client.post(f"/review/all/{token}/approve/", {"hour": [log.pk]})

    assert opened.status_code == posted.status_code == 403
    assert "This review link has expired" in opened.content.decode()
    log.refresh_from_db()
    assert log.status == LogStatus.PENDING


def test_a_forged_link_or_a_one_log_link_is_refused(
    clinic_students: list[Student], supervisor: User, client: Client
) -> None:
    (log,) = shifts(clinic_students[1], 1)
    token = review_all_token(supervisor)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    one_log = review_links.review_link_token(log, supervisor)  # signed for another purpose

    for bad in (forged, one_log):
        response = client.get(f"/review/all/{bad}/")
        assert response.status_code == 403
        assert "This review link is not valid." in response.content.decode()


def test_a_link_of_a_supervisor_who_left_no_longer_works(supervisor: User, client: Client) -> None:
    token = review_all_token(supervisor)
    supervisor.is_active = False
    supervisor.save()

    response = client.get(f"/review/all/{token}/")

    assert response.status_code == 403
    assert "no longer valid" in response.content.decode()
