"""POST /api/v1/messaging/sms/inbound/: signed by the provider; STOP (or an opt-out in the
person's own words), START and HELP."""

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import TestCase

from enrollment.models import ConsentRecord
from messaging import delivery, opt_outs, services
from messaging.api.views import twilio_signature
from messaging.consent import live_consent
from messaging.models import InboundText, MessageChannel, MessageStatus
from tests.messaging.conftest import SECRET, consent

pytestmark = pytest.mark.django_db
URL = "/api/v1/messaging/sms/inbound/"
PHONE = "+12025550100"
MORNING = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)  # 10:00 in New York
STOP_VARIANTS = [
    "STOP",
    "stop",
    "  Stop  ",
    "STOP.",
    "STOPALL",
    "stop all",
    "UNSUBSCRIBE",
    "unsubscribe",
    "CANCEL",
    "cancel",
    "END",
    "end",
    "QUIT",
    "Quit",
    "REVOKE",
    "revoke",
    "OPT OUT",
    "opt out",
    "OPT  OUT",
    "Opt-Out",
    "optout",
    "\tstop\n",
]
# Opt-outs in the person's own words revoke too (FCC 24-24); ordinary messages that merely
# contain "stop" or "remove" do not.
OPT_OUT_WORDINGS = [
    "Please stop texting me",
    "please stop",
    "stop it please",
    "Stop texting me!!",
    "STOP SENDING ME MESSAGES",
    "stop messaging me, thanks",
    "remove me from this list",
    "Please take me off your list",
    "unsubscribe me",
    "Opt me out please",
    "don't text me",
    "Don\u2019t text me again",
    "do not text me",
    "never text me again",
    "no more texts",
    "No more messages please",
    "leave me alone",
    "I don't want these texts anymore",
    "I want to opt out",
    "Thanks. Please stop texting me, I'm not interested",
    "Quit texting me",
    "Stop texting this number",
    "Could you stop texting this number",
    "Stop sending messages to this number",
    "I do not want to receive texts",
    "Do not text",
    "stop spamming me",
]
NOT_OPT_OUTS = [
    "I can't stop by today",
    "stop by the office",
    "Can I stop by the office tomorrow?",
    "I will stop at the pharmacy first",
    "The bus stop is far from the site",
    "don't stop",
    "STOPP",
    "START STOP",
    "Yes",
    "I need to cancel my session",
    "Please remove the hold on my account",
    "Leave me a message",
    "no more than 5 hours",
    "I want to stop smoking",
]


def inbound(client, body: str, *, sender: str = PHONE, sid: str = "", signature: str | None = None):
    """Post a text as Twilio would, signed with the shared secret unless told otherwise."""
    params = {"From": sender, "To": "+12025550000", "Body": body}
    if sid:
        params["MessageSid"] = sid
    if signature is None:
        signature = twilio_signature(
            settings.SITE_URL + URL, {k: [v] for k, v in params.items()}, SECRET
        )
    # The replies leave after commit; the test's transaction never commits, so run them here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            URL,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature} if signature else {},
        )


def program_text(now=None):
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="news")
    return delivery.deliver(message, now=now)


# -- the signature ------------------------------------------------------------------------------


def test_a_correctly_signed_text_is_accepted(client) -> None:
    response = inbound(client, "hello")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content
    assert InboundText.objects.get().body == "hello"


def test_a_forged_signature_is_refused(client) -> None:
    response = inbound(client, "STOP", signature="bm90IHRoZSByaWdodCBzaWduYXR1cmU=")
    assert response.status_code == 403
    assert not InboundText.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_a_missing_signature_is_refused(client) -> None:
    assert inbound(client, "STOP", signature="").status_code == 403
    assert not InboundText.objects.exists()


def test_a_signature_over_other_fields_is_refused(client) -> None:
    signed_for_hello = twilio_signature(
        settings.SITE_URL + URL,
        {"From": [PHONE], "To": ["+12025550000"], "Body": ["hello"]},
        SECRET,
    )
    assert inbound(client, "STOP", signature=signed_for_hello).status_code == 403


def test_without_a_configured_secret_everything_is_refused(client, settings) -> None:
    settings.SMS_WEBHOOK_SECRET = ""
    assert inbound(client, "STOP").status_code == 403


def test_the_contracts_body_signature_is_accepted_too(client) -> None:
    body = urlencode({"From": PHONE, "Body": "HELP"}).encode()
    good = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    post = lambda signature: client.post(  # noqa: E731
        URL,
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Signature": signature},
    )
    assert post("0" * 64).status_code == 403
    assert post(good).status_code == 200


def test_a_sender_that_is_not_a_phone_number_is_a_400(client) -> None:
    response = inbound(client, "STOP", sender="not a number")
    assert response.status_code == 400
    assert "From" in response.json()


# -- STOP -------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", STOP_VARIANTS)
def test_every_stop_keyword_revokes_text_consent(client, texts, word) -> None:
    consent("updates_sms", PHONE)
    assert inbound(client, word).status_code == 200
    live = live_consent(channel="updates_sms", address=PHONE)
    assert live.granted is False
    assert (live.disclosure_text, live.source_page) == (word.strip(), "sms keyword")
    assert len(texts) == 1
    assert "unsubscribed" in texts[0].body


@pytest.mark.parametrize("text", OPT_OUT_WORDINGS)
def test_an_opt_out_in_the_persons_own_words_revokes_and_is_confirmed_once(
    client, texts, text
) -> None:
    consent("updates_sms", PHONE)
    inbound(client, text, sid="SM1")
    assert live_consent(channel="updates_sms", address=PHONE).granted is False
    assert InboundText.objects.get().keyword == "stop"
    [confirmation] = texts
    assert "unsubscribed" in confirmation.body
    inbound(client, text, sid="SM2")  # said again: nothing more
    assert len(texts) == 1


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_other_words_are_only_logged(client, texts, text) -> None:
    consent("updates_sms", PHONE)
    inbound(client, text)
    assert live_consent(channel="updates_sms", address=PHONE).granted is True
    assert InboundText.objects.get().keyword == ""
    assert texts == []


def test_a_revoked_number_receives_nothing_afterwards(client, texts) -> None:
    consent("updates_sms", PHONE)
    inbound(client, "STOP", sid="SM1")
    assert [t.to for t in texts] == [PHONE]  # the one confirmation
    blocked = program_text()
    assert blocked.status == MessageStatus.BLOCKED
    assert "revoked" in blocked.reason
    inbound(client, "stop", sid="SM2")  # asked again: no second confirmation
    assert len(texts) == 1


def test_a_stop_keeps_the_consent_it_revokes(client) -> None:
    given = consent("updates_sms", PHONE)
    inbound(client, "STOP")
    # Consent evidence is kept 5 years: a revocation is a new record, never a deletion.
    assert ConsentRecord.objects.filter(pk=given.pk, granted=True).exists()
    records = ConsentRecord.objects.filter(channel="updates_sms").order_by("at", "id")
    assert list(records.values_list("granted", flat=True)) == [True, False]


def test_stop_revokes_every_kind_of_text_with_one_confirmation(client, texts) -> None:
    consent("updates_sms", PHONE)
    consent("sms", PHONE)
    inbound(client, "STOP")
    assert live_consent(channel="updates_sms", address=PHONE).granted is False
    assert live_consent(channel="sms", address=PHONE).granted is False
    assert len(texts) == 1
    marketing = services.queue(
        channel=MessageChannel.SMS, address=PHONE, kind="t", body="news", purpose="marketing"
    )
    assert delivery.deliver(marketing, now=MORNING).status == MessageStatus.BLOCKED
    assert program_text(now=MORNING).status == MessageStatus.BLOCKED


def test_a_stop_from_a_number_never_subscribed_is_recorded_and_confirmed(client, texts) -> None:
    inbound(client, "STOP")
    assert live_consent(channel="updates_sms", address=PHONE).granted is False
    assert len(texts) == 1


def test_a_retried_webhook_acts_once(client, texts) -> None:
    consent("updates_sms", PHONE)
    inbound(client, "STOP", sid="SM42")
    consent("updates_sms", PHONE)  # re-subscribed on a form in between
    inbound(client, "STOP", sid="SM42")
    assert InboundText.objects.count() == 1
    assert live_consent(channel="updates_sms", address=PHONE).granted is True
    assert len(texts) == 1


def test_stop_revokes_texts_only(client) -> None:
    consent("email", "pat@example.com")
    consent("updates_sms", PHONE)
    inbound(client, "STOP")
    assert live_consent(channel="email", address="pat@example.com").granted is True


# -- START and HELP ---------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["START", "start", " Start ", "UNSTOP"])
def test_start_restores_text_consent_and_confirms(client, texts, word) -> None:
    consent("updates_sms", PHONE)
    inbound(client, "STOP")
    inbound(client, word)
    assert live_consent(channel="updates_sms", address=PHONE).granted is True
    assert "subscribed" in texts[-1].body
    assert "STOP" in texts[-1].body
    assert program_text(now=MORNING).status == MessageStatus.SENT


def test_start_restores_only_what_was_given(client, texts) -> None:
    consent("updates_sms", PHONE)  # the application box; never marketing
    inbound(client, "STOP")
    inbound(client, "START")
    assert live_consent(channel="updates_sms", address=PHONE).granted is True
    assert live_consent(channel="sms", address=PHONE).granted is False


def test_start_from_a_number_that_never_agreed_grants_nothing_and_answers_help(
    client, texts
) -> None:
    inbound(client, "START")
    assert not ConsentRecord.objects.exists()
    [reply] = texts
    assert "Reply STOP to stop" in reply.body
    assert "subscribed" not in reply.body


@pytest.mark.parametrize("word", ["HELP", "help", "  Help ", "INFO"])
def test_help_answers_a_number_that_never_subscribed(client, texts, settings, word) -> None:
    inbound(client, word)
    [reply] = texts
    assert reply.to == PHONE
    assert settings.SITE_NAME in reply.body
    assert settings.DEFAULT_FROM_EMAIL in reply.body
    assert "Msg & data rates may apply" in reply.body
    assert "Reply STOP to stop" in reply.body
    assert not ConsentRecord.objects.exists()  # asking for help is not consent


def test_keyword_replies_are_logged_and_ignore_the_window(client, texts) -> None:
    inbound(client, "HELP")
    inbound_text = InboundText.objects.get()
    assert inbound_text.keyword == "help"
    assert inbound_text.reply.status == MessageStatus.SENT
    assert inbound_text.reply.purpose == "reply"


@pytest.mark.parametrize(
    ("text", "word"), [("STOP", "stop"), ("opt   out!", "stop"), ("Start", "start"), ("hi", "")]
)
def test_keywords(text, word) -> None:
    assert opt_outs.keyword(text) == word
