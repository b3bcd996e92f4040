"""The access matrix of the pages: every route outside the API and the Django admin, as every
role, against Avery's records (see `world.py`); the answers are declared in `access_table.PAGES`.

A token in the address (status page, review link, calendar feed, password reset, certificate
verification code) is the credential: the matrix uses a forged one, which nobody may open,
whoever is signed in."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from messaging.models import Message
from tests.hardening import operations
from tests.hardening.access_table import PAGES, expected_page
from tests.hardening.world import ROLES, World, build_world

FORGED = "forged-token-of-nobody"
# The Django admin checks `is_staff` for all of its pages; the API has its own matrix.
ELSEWHERE = ("/admin/", operations.API_PREFIX)


def page_routes() -> set[str]:
    return {path for path, _ in operations.routes() if not path.startswith(ELSEWHERE)}


def test_it_has_a_row_for_every_page() -> None:
    missing = sorted(page_routes() - {path for _, path in PAGES})
    rows = "\n".join(f'    ("GET", "{path}"): "..."' for path in missing)
    assert not missing, (
        f"{len(missing)} page(s) have no row in the access matrix. Add to `PAGES` in "
        f"tests/hardening/access_table.py a line for each method they answer, with the answer "
        f"for every role ({' '.join(ROLES)}):\n{rows}"
    )


def test_it_has_no_row_for_a_page_that_is_gone() -> None:
    stale = sorted({path for _, path in PAGES} - page_routes())
    assert not stale, f"Rows in PAGES for no route: {stale}"


def page_url(path: str, world: World) -> str:
    ids = {
        "/coach/students/": world.student.pk,
        "/coach/sessions/": world.ids["coaching-sessions"],
        "/coach/availability/": world.ids["open-slots"],
        "/me/sessions/": world.ids["coaching-sessions"],
        "/me/logs/": world.hour_log.pk,
        "/review/": world.hour_log.pk,
    }
    record = next((pk for prefix, pk in ids.items() if path.startswith(prefix)), None)
    values = {
        "{id}": str(record),
        "{kind}": "hour",
        "{slug}": world.cohort.program.slug,
        "{token}": FORGED,
        "{code}": FORGED,
        "{uidb64}": "MQ",
        "{verb}": "accept",
        "{attempt}": str(world.ids["exam-attempts"]),
        "{application}": str(world.ids["job-applications"]),
        "{session}": str(world.ids["coaching-sessions"]),
    }
    for placeholder, value in values.items():
        path = path.replace(placeholder, value)
    assert "{" not in path, f"{path}: no value for its placeholder in page_url()"
    return path


def page_body(path: str, world: World) -> dict[str, object]:
    log = f"hour-{world.hour_log.pk}"
    starts = (timezone.localtime() + timedelta(days=4)).replace(hour=10, minute=0)
    today = timezone.localdate()
    return {
        "/review/{kind}/{id}/": {f"{log}-decision": "approved"},
        "/review/approve/": {"hour": [world.hour_log.pk]},
        "/me/logs/{kind}/{id}/answer/": {f"{log}-notes": "The shift ran late."},
        "/coach/students/{id}/notes/": {"body": "Called about the externship."},
        "/coach/students/{id}/messages/": {"channel": "email", "body": "Call me about Monday."},
        "/coach/students/{id}/sessions/": {
            "kind": "check_in",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 30,
        },
        "/me/sessions/": {"kind": "check_in", "slot": world.ids["open-slots"]},
        "/me/sessions/{id}/move/": {"slot": world.ids["open-slots"]},
        "/me/coach/messages/": {"body": "Can we talk about my externship?"},
        "/coach/availability/": {
            "day": (starts + timedelta(days=1)).date().isoformat(),
            "start": "15:00",
            "duration_minutes": 30,
            "count": 2,
            "weeks": 1,
        },
        "/coach/students/{id}/exam/": {
            "sat_on": str(today + timedelta(days=30)),
            "override_reason": "Retake approved by the program director.",
        },
        "/coach/students/{id}/exam/{attempt}/": {"result": "failed", "scaled_score": 340},
        "/coach/students/{id}/jobs/": {
            "employer": "Eastside Clinic",
            "role": "Medical assistant",
            "applied_on": str(today),
            "status": "offered",
            "respond_by": str(today + timedelta(days=3)),
        },
        "/coach/students/{id}/jobs/{application}/": {"status": "interviewing"},
        "/coach/students/{id}/placements/": {
            "employer": "Eastside Clinic",
            "title": "Medical assistant",
            "classification": "in_field",
            "employment": "full_time",
            "hourly_wage": "19.50",
            "start_date": str(today),
            "verification_method": "offer_letter",
            "evidence_note": "Offer letter seen.",
        },
        "/coach/students/{id}/sessions/{session}/": {"status": "held", "outcome": "Good."},
    }.get(path, {})


def fingerprint(world: World) -> tuple[object, ...]:
    """What a page could change about Avery: the pending log's status, notes, sessions (their
    times, states and outcomes), the messages sent to them or by them, exam attempts, job
    applications and placements."""
    log = type(world.hour_log).objects.get(pk=world.hour_log.pk)
    student = world.student
    user = student.user
    return (
        log.status,
        student.coach_notes.count(),
        list(
            student.coaching_sessions.order_by("pk").values_list("starts_at", "status", "outcome")
        ),
        Message.objects.filter(Q(recipient=user) | Q(sender=user)).count(),
        list(student.exam_attempts.values_list("result", "scaled_score")),
        list(student.job_applications.values_list("status", "respond_by")),
        student.placements.count(),
    )


def answer(world: World, role: str, method: str, path: str) -> str:
    """The role's answer in the table's notation: "login" for a redirect to sign in, and a "*"
    after the status when the request changed Avery's records."""
    client = Client(raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        url = page_url(path, world)
        before = fingerprint(world)
        body = page_body(path, world)
        response = client.post(url, body) if method == "POST" else client.get(url)
        changed = fingerprint(world) != before
        transaction.set_rollback(True)
    code = str(response.status_code) + ("*" if changed else "")
    if code == "302" and response["Location"].startswith("/login/"):
        return "login"
    return code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_it_answers_each_page_as_declared(role: str) -> None:
    world = build_world()
    wrong = []
    for method, path in sorted(PAGES, key=lambda p: (p[1], p[0])):
        want = expected_page((method, path), role)
        got = answer(world, role, method, path)
        if got != want:
            wrong.append(f"{method} {path}: expected {want}, got {got}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)
