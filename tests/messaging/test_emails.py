"""Every email the school sends, driven through the flow that sends it and read back the way a
mail client reads it: Python's `email` package with its strict policy parses it, it has a plain-text
and an HTML part saying the same thing, the HTML is accessible and loads nothing from elsewhere, and
the words fit where the application, log or session stands when it goes. Only marketing email
carries `List-Unsubscribe`, and its link unsubscribes.

The cast: coach Casey Coach, supervisor Pat Preceptor at Eastside Clinic, student Avery Lee placed
there, and applicants Jamie Applicant0, 1, 2... from `tests.factories.applicant`."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone

from accounts.models import Role, User
from backend.errors import AlreadyApplied
from coaching.booking import session_cancel, session_move, slot_book, slots_add
from coaching.models import CoachingSession
from coaching.notifications import queue_session_reminders
from coaching.services import message_coach, message_student
from enrollment.applying import application_submit
from enrollment.models import Application, Cohort, Student
from enrollment.notifications import queue_offer_expiring_reminders
from enrollment.services import Actor, application_accept, application_decline
from enrollment.tasks import close_waitlists_at_cutoff, expire_offers
from externships.digests import review_digests_queue
from externships.models import ComplianceDocument, HourLog, LogStatus, RequirementSet
from externships.services import hour_log_create, log_decide, log_resubmit
from externships.staff import staff_member_add
from externships.tasks import remind_expiring_documents
from messaging import services
from messaging.consent import live_consent
from messaging.emails import email_text, render_email
from messaging.models import Message, MessageChannel, MessageStatus, Purpose
from tests.conftest import with_role
from tests.externships.test_pages import placed_student, site_for
from tests.factories import CohortFactory, ProgramFactory, applicant
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db
APPLICANT = Actor(label="applicant")
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A marketing email for these tests: the product sends none today (see the README).
NEWS = Path(__file__).parent / "templates"


@dataclass
class Read:
    """An email as its reader's mail client sees it."""

    message: EmailMessage
    subject: str
    text: str
    html: str


def read(sent: mail.EmailMessage, *, marketing: bool = False) -> Read:
    """Parse an email from the outbox with the strict policy, and check what every email owes
    its reader; marketing email alone carries List-Unsubscribe."""
    message = BytesParser(policy=policy.strict).parsebytes(sent.message().as_bytes())
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    subject = str(message["Subject"])

    # The HTML: a document in English with a real title and heading, links that say where they
    # go, nothing fetched from elsewhere and nothing run.
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert f"<title>{escape(subject)}</title>" in html
    assert f"<h1>{escape(subject)}</h1>" in html
    assert not re.search(r"<img\b[^>]*\bsrc=[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"<(img|script|iframe|object|table|link)\b|url\(|\bon\w+=", html, re.I)
    links = re.findall(r"<a href=\"([^\"]+)\">(.*?)</a>", html, re.S)
    assert links
    assert all(words.strip() and "://" not in words for _, words in links)
    # The text: the same words as the HTML, no doubled period ("2:53 a.m..") and no line that
    # starts with a space.
    assert email_text(html) == text
    words = re.sub(r"https?://\S+", "<link>", text)
    assert ".." not in words
    assert not [line for line in text.splitlines() if line.startswith(" ")]
    assert ("List-Unsubscribe" in message) is marketing
    assert ("List-Unsubscribe-Post" in message) is marketing
    return Read(message, subject, text, html)


def read_all() -> list[Read]:
    return [read(sent) for sent in mail.outbox]


def to(address: str) -> list[Read]:
    return [read(sent) for sent in mail.outbox if sent.to == [address]]


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run the block, then its after-commit tasks, so its emails are in the outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def coach() -> User:
    return with_role(Role.COACH, email="casey@school.test", first_name="Casey", last_name="Coach")


@pytest.fixture
def cohort(coach: User) -> Cohort:
    cohort = CohortFactory(capacity=1, name="Spring day")
    cohort.coaches.add(coach)
    return cohort


def apply(cohort: Cohort, n: int, **fields: object) -> Application:
    application, _ = application_submit(cohort=cohort, **applicant(n, **fields))
    return application


@pytest.fixture
def supervisor() -> User:
    return with_role(Role.SUPERVISOR, email="pat@clinic.test", first_name="Pat", last_name="P")


@pytest.fixture
def avery(supervisor: User, coach: User) -> Student:
    """Placed at Eastside Clinic under Pat, coached by Casey, every document on file."""
    program = ProgramFactory()
    RequirementSet.objects.create(program=program, edition="2024", source="handbook")
    site = site_for(program, "Eastside Clinic", supervisor)
    user = with_role(Role.STUDENT, email="avery@school.test", first_name="Avery", last_name="Lee")
    return placed_student(user, program, site, supervisor, coach)


def shift(student: Student, days_ago: int, **fields: object) -> HourLog:
    return hour_log_create(
        student=student,
        externship=student.externships.get(),
        date=timezone.localdate() - timedelta(days=days_ago),
        start_time=time(8),
        end_time=time(12),
        activities="Rooming patients",
        **fields,
    )


@pytest.fixture
def news_template(settings) -> str:
    """A marketing email template, beside the product's own."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES, NEWS]}]
    return "news.html"


def send_news(address: str) -> Message:
    email = render_email("news.html", {}, purpose=Purpose.MARKETING, address=address)
    return services.send(
        channel=MessageChannel.EMAIL,
        address=address,
        kind="news",
        purpose=Purpose.MARKETING,
        subject=email.subject,
        body=email.text,
        html=email.html,
    )


# -- every email ---------------------------------------------------------------------------------


@pytest.fixture
def rendered() -> Iterator[set[str]]:
    """The names of the templates rendered while the test runs."""
    names: set[str] = set()

    def record(sender: object, template: object, **kwargs: object) -> None:
        names.add(getattr(template, "name", None) or "")

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def email_templates() -> set[str]:
    """The product's email templates (their partials and the shared base aside)."""
    found = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.glob("*/email/*.html")
        if not path.name.startswith("_") and path.name != "base.html"
    }
    return found | {"registration/password_reset_email.html"}


def test_every_email_the_product_sends_is_text_and_html_and_reads_well(
    delivered, rendered, cohort, coach, supervisor, avery, client
) -> None:
    """One tour through every flow that emails someone; every email it sends is checked by
    `read`, and together they cover every email template there is."""
    with delivered():
        first = apply(cohort, 1)  # offered
        second = apply(cohort, 2)  # waitlisted
        apply(cohort, 3, date_of_birth=timezone.localdate() - timedelta(days=365 * 16))
    with delivered(), pytest.raises(AlreadyApplied):
        apply(cohort, 2)  # the status link again
    with delivered():
        application_decline(application=first, actor=APPLICANT)  # the seat goes to `second`
    with delivered():
        application_accept(application=Application.objects.get(pk=second.pk), actor=APPLICANT)

    other = CohortFactory(capacity=1, name="Summer evening")
    with delivered():
        lapsing = apply(other, 4)
        apply(other, 5)  # waitlisted, told at the cutoff
        queue_offer_expiring_reminders(now=lapsing.offer_expires_at - timedelta(hours=23))
    Application.objects.filter(pk=lapsing.pk).update(offer_expires_at=timezone.now())
    with delivered():
        expire_offers()  # the offer lapses and passes to number 5
    third = CohortFactory(capacity=1, name="Fall day")
    with delivered():
        apply(third, 6)
        apply(third, 7)
    Cohort.objects.filter(pk=third.pk).update(enrollment_cutoff=timezone.localdate())
    with delivered():
        close_waitlists_at_cutoff()

    with delivered():
        client.post("/password-reset/", {"email": avery.user.email})

    with delivered():
        urgent = shift(avery, 1, urgent=True)
    with delivered():
        log_decide(log=urgent, decision="approved", by=supervisor)
        log_decide(
            log=shift(avery, 2), decision="rejected", reason="Not your shift.", by=supervisor
        )
        log_decide(log=shift(avery, 3), decision="needs_info", reason="Which room?", by=supervisor)
        shift(avery, 4)
    morning = timezone.make_aware(datetime.combine(timezone.localdate(), time(8)))
    with delivered():
        review_digests_queue(now=morning)
    ComplianceDocument.objects.filter(student=avery, kind="tb_test").update(
        expires_on=timezone.localdate() + timedelta(days=20)
    )
    with delivered():
        remind_expiring_documents()

    starts = (timezone.localtime() + timedelta(days=3)).replace(hour=10, minute=0, second=0)
    slots = slots_add(coach=coach, starts_at=starts, count=2)
    with delivered():
        session = slot_book(student=avery, slot=slots[0], kind="check_in", by=avery.user)
        session = session_move(session=session, slot=slots[1], by=avery.user)
        session_cancel(session=session, by=avery.user)
    soon = CoachingSession.objects.create(
        student=avery, coach=coach, kind="check_in", starts_at=timezone.now() + timedelta(hours=20)
    )
    with delivered():
        queue_session_reminders(now=soon.starts_at - timedelta(hours=20))
        message_student(student=avery, by=coach, channel="email", body="See you Friday.")
        message_coach(student=avery, body="Can we move Friday's check-in?")
    director = with_role(Role.ADMIN, email="director@school.test")
    with delivered():
        staff_member_add(
            role=Role.COACH,
            email="noor@school.test",
            first_name="Noor",
            last_name="Haddad",
            by=director,
        )

    emails = read_all()
    kinds = set(Message.objects.filter(channel="email").values_list("kind", flat=True))
    assert len(emails) == Message.objects.filter(channel="email", status="sent").count()
    assert kinds == {
        "received", "status_link", "offer_made", "enrolled", "invitation", "offer_expiring",
        "offer_expired", "cohort_closed", "password_reset", "review_request", "log_decision",
        "review_digest", "document_expiring", "session_booked", "session_moved",
        "session_cancelled", "session_reminder", "coach_message", "student_message",
    }  # fmt: skip
    assert email_templates() <= rendered, "an email template no flow here sends"


# -- the confirmation, in each state the application can be in when it goes ---------------------


def test_the_confirmation_of_an_offered_applicant_holds_the_seat_until_a_time(
    delivered, cohort
) -> None:
    with delivered():
        application = apply(cohort, 1)
    [email] = read_all()
    assert email.subject == "We received your application"
    assert email.text.startswith("We received your application\n\nHello Jamie,\n\n")
    assert f"A seat in {cohort} is held for you until " in email.text
    assert "Accept or decline your seat: http" in email.text
    assert f'<a href="http://127.0.0.1:8000/status/{application.status_token}/">' in email.html


def test_the_confirmation_of_a_waitlisted_applicant_gives_their_place(delivered, cohort) -> None:
    apply(cohort, 1)
    with delivered():
        apply(cohort, 2)
    [email] = read_all()
    assert "is full, so you are on its waitlist, number 1 in line." in email.text
    assert "See your place on the waitlist: http" in email.text


def test_the_confirmation_of_an_ineligible_applicant_says_why(delivered, cohort) -> None:
    with delivered():
        apply(cohort, 1, education="none")
    [email] = read_all()
    assert ": A high-school diploma or GED is required.\n" in email.text
    assert "See the details here" not in email.text


def test_a_confirmation_that_goes_once_the_seat_is_accepted_says_enrolled(
    django_capture_on_commit_callbacks, delivered, cohort
) -> None:
    """The worker ran late: by the time the confirmation goes, the applicant has accepted."""
    with django_capture_on_commit_callbacks() as late:
        application = apply(cohort, 1)
    with delivered():
        application_accept(application=application, actor=APPLICANT)
    mail.outbox.clear()
    for callback in late:
        callback()

    [email] = read_all()
    assert email.subject == "We received your application"
    assert f"You are enrolled in {cohort}, starting" in email.text
    assert "held for you" not in email.text
    assert "See the details here" not in email.text


def test_an_offer_email_that_goes_after_the_seat_was_accepted_says_enrolled(
    django_capture_on_commit_callbacks, delivered, cohort
) -> None:
    first, second = apply(cohort, 1), apply(cohort, 2)
    with django_capture_on_commit_callbacks() as late:
        application_decline(application=first, actor=APPLICANT)
    with delivered():
        application_accept(application=Application.objects.get(pk=second.pk), actor=APPLICANT)
    mail.outbox.clear()
    for callback in late:
        callback()

    [email] = read_all()
    assert email.subject == f"About the seat offered to you in {cohort}"
    assert "You are enrolled in" in email.text
    assert "Accept or decline" not in email.text


# -- to staff: each greets its reader and speaks of the student -------------------------------


def test_the_coachs_copy_of_a_document_reminder_greets_the_coach(delivered, avery, coach) -> None:
    ComplianceDocument.objects.filter(student=avery, kind="tb_test").update(
        expires_on=timezone.localdate() + timedelta(days=20)
    )
    with delivered():
        remind_expiring_documents()
    [student_copy] = to(avery.user.email)
    [coach_copy] = to(coach.email)

    assert "Hello Avery,\n" in student_copy.text
    assert "A document on file for you expires on" in student_copy.text
    assert ": TB test." in student_copy.text

    assert "Hello Casey,\n" in coach_copy.text
    assert "Hello Avery" not in coach_copy.text
    assert "A document on file for Avery Lee expires on" in coach_copy.text
    assert "They need to bring a current one" in coach_copy.text
    assert not re.search(r"\b(you|your)\b", coach_copy.text.split("Hello Casey,")[1], re.I)
    assert coach_copy.subject.endswith("for Avery Lee: TB test")
    assert f"/coach/students/{avery.pk}/" in coach_copy.text


def test_a_supervisor_without_a_first_name_is_greeted_without_a_stray_space(
    delivered, avery, supervisor
) -> None:
    User.objects.filter(pk=supervisor.pk).update(first_name="")
    with delivered():
        shift(avery, 1, urgent=True)
    [email] = read_all()
    assert "\n\nHello,\n\n" in email.text
    assert email.subject.startswith("Urgent, please review: Avery Lee logged ")


def test_the_decision_email_says_what_was_decided(delivered, avery, supervisor) -> None:
    approved, rejected, asked = shift(avery, 1), shift(avery, 2), shift(avery, 3)
    with delivered():
        log_decide(log=approved, decision="approved", by=supervisor)  # no email
        log_decide(log=rejected, decision="rejected", reason="Not your shift.", by=supervisor)
        log_decide(log=asked, decision="needs_info", reason="Which room?", by=supervisor)
    said = {email.subject.split(" was ")[1]: email.text for email in read_all()}

    assert set(said) == {"rejected", "sent back for more information"}
    assert "Your log was rejected: " in said["rejected"]
    assert "The reason: Not your shift.\n" in said["rejected"]
    assert "What is missing: Which room?\n" in said["sent back for more information"]


def test_a_decision_email_that_goes_after_the_student_answered_says_so(
    django_capture_on_commit_callbacks, avery, supervisor
) -> None:
    log = shift(avery, 1)
    with django_capture_on_commit_callbacks() as late:
        log_decide(log=log, decision="needs_info", reason="Which room?", by=supervisor)
    log_resubmit(log=log, student=avery, notes="Room 4.")
    for callback in late:
        callback()
    [email] = read_all()
    assert "You have since answered, and it waits for your supervisor again." in email.text
    assert HourLog.objects.get(pk=log.pk).status == LogStatus.PENDING


def test_a_decision_email_that_goes_once_the_answered_log_is_approved_says_approved(
    django_capture_on_commit_callbacks, avery, supervisor
) -> None:
    log = shift(avery, 1)
    with django_capture_on_commit_callbacks() as late:
        log_decide(log=log, decision="needs_info", reason="Which room?", by=supervisor)
    log_resubmit(log=log, student=avery, notes="Room 4.")
    log_decide(log=HourLog.objects.get(pk=log.pk), decision="approved", by=supervisor)
    for callback in late:
        callback()
    [email] = read_all()
    assert email.subject.endswith(" was approved")
    assert "Your log was approved: " in email.text
    assert "Which room?" not in email.text


# -- marketing email and its one-click unsubscribe ---------------------------------------------


def unsubscribe_link(sent: mail.EmailMessage) -> str:
    """The path of the marketing email's one-click unsubscribe link, the same in its header and
    its footer."""
    email = read(sent, marketing=True)
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [link] = re.findall(r"^<(https?://[^>\s]+)>$", str(email.message["List-Unsubscribe"]))
    assert f'<a href="{link}">Unsubscribe from these emails</a>' in email.html
    assert f"Unsubscribe from these emails: {link}\n" in email.text
    return link.removeprefix(settings.SITE_URL)


def test_marketing_email_carries_a_one_click_unsubscribe_that_works(news_template) -> None:
    consent("email", "pat@example.com")
    assert send_news("Pat@Example.com").status == MessageStatus.SENT
    [sent] = mail.outbox
    path = unsubscribe_link(sent)

    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    answer = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert answer.status_code == 200
    assert live_consent(channel="email", address="pat@example.com").granted is False
    assert send_news("pat@example.com").status == MessageStatus.BLOCKED
    assert len(mail.outbox) == 1


def test_the_unsubscribe_page_asks_before_it_acts(news_template) -> None:
    consent("email", "pat@example.com")
    send_news("pat@example.com")
    path = unsubscribe_link(mail.outbox[0])
    client = Client()

    page = client.get(path)
    assert page.status_code == 200
    assert b"pat@example.com" in page.content
    assert b'<button type="submit">Unsubscribe</button>' in page.content
    assert live_consent(channel="email", address="pat@example.com").granted is True

    done = client.post(path)
    assert b"You are unsubscribed" in done.content
    assert live_consent(channel="email", address="pat@example.com").granted is False
    client.post(path)  # twice is once
    assert live_consent(channel="email", address="pat@example.com").granted is False


def test_a_changed_unsubscribe_link_is_refused(news_template) -> None:
    consent("email", "pat@example.com")
    send_news("pat@example.com")
    path = unsubscribe_link(mail.outbox[0])
    forged = path.replace("/unsubscribe/", "/unsubscribe/x")
    assert Client().post(forged).status_code == 403
    assert live_consent(channel="email", address="pat@example.com").granted is True


def test_only_marketing_email_carries_list_unsubscribe(delivered, news_template, cohort) -> None:
    consent("email", "jamie1@example.com")  # agreed to news, and applied
    with delivered():
        apply(cohort, 1)
    send_news("jamie1@example.com")
    received, news = mail.outbox
    assert read(received).subject == "We received your application"
    assert read(news, marketing=True).subject == "Open day on Saturday"


def test_an_email_template_with_an_image_has_no_text_form() -> None:
    with pytest.raises(ValueError, match="<img> has no plain-text form"):
        email_text('<p>Hello <img src="https://tracker.example/pixel.gif" alt=""></p>')
