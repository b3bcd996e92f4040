"""The Twilio adapter against a fake Messages API on 127.0.0.1: no internet."""

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from messaging import delivery, services
from messaging.backends import get_backend
from messaging.backends.twilio import TwilioBackend
from messaging.models import MessageChannel, MessageStatus
from tests.messaging.conftest import consent

PHONE = "+12025550100"
NOON = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 in New York


class FakeTwilio(BaseHTTPRequestHandler):
    """Answers with the status and JSON in `server.answer`; keeps each request it got."""

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.requests.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "form": parse_qs(self.rfile.read(length).decode()),
            }
        )
        status, answer = self.server.answer
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def twilio(settings) -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    server.requests, server.answer = [], (201, {"sid": "SM0123456789abcdef", "status": "queued"})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "twilio"
    settings.SMS_TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_TWILIO_ACCOUNT_SID = "AC123"
    settings.SMS_TWILIO_AUTH_TOKEN = "token-456"
    settings.SMS_FROM = "+12025550000"
    yield server
    server.shutdown()
    server.server_close()


def test_a_text_is_posted_to_the_messages_api(twilio) -> None:
    assert get_backend().send(to=PHONE, body="Hello there") == "SM0123456789abcdef"
    [request] = twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["form"] == {"To": [PHONE], "From": ["+12025550000"], "Body": ["Hello there"]}
    assert (
        request["headers"]["Authorization"]
        == "Basic " + base64.b64encode(b"AC123:token-456").decode()
    )


@pytest.mark.django_db
def test_a_sent_text_keeps_twilios_id(twilio) -> None:
    consent("updates_sms", PHONE)
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi")
    delivery.deliver(message, now=NOON)
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "SM0123456789abcdef")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (400, {"code": 21211, "message": "The 'To' number is not valid."}, "400: The 'To' number"),
        (503, {}, "503"),
    ],
)
def test_a_refusal_is_recorded_as_failed_with_the_reason(twilio, status, answer, reason) -> None:
    twilio.answer = (status, answer)
    consent("updates_sms", PHONE)
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi")
    delivery.deliver(message, now=NOON)
    assert message.status == MessageStatus.FAILED
    assert reason in message.reason
    assert message.provider_id == ""
    assert message.send_after is not None  # the flush tries again


@pytest.mark.django_db
def test_an_unreachable_provider_is_recorded_as_failed(twilio, settings) -> None:
    settings.SMS_TWILIO_API_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    consent("updates_sms", PHONE)
    message = services.queue(channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi")
    delivery.deliver(message, now=NOON)
    assert message.status == MessageStatus.FAILED
    assert "could not be reached" in message.reason


def test_the_adapter_refuses_to_start_without_credentials(settings) -> None:
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured):
        TwilioBackend()


def test_an_unknown_backend_name_is_refused(settings) -> None:
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured):
        get_backend()
