"""Twilio's Messages API over plain HTTPS (no SDK): one form POST per text."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from messaging.backends.base import SMSBackend, SMSError

TIMEOUT_SECONDS = 10


class TwilioBackend(SMSBackend):
    def __init__(self) -> None:
        self.account_sid = settings.SMS_TWILIO_ACCOUNT_SID
        self.auth_token = settings.SMS_TWILIO_AUTH_TOKEN
        self.sender = settings.SMS_FROM
        if not (self.account_sid and self.auth_token and self.sender):
            raise ImproperlyConfigured(
                "SMS_BACKEND=twilio needs SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN "
                "and SMS_FROM"
            )
        self.url = (
            f"{settings.SMS_TWILIO_API_URL.rstrip('/')}"
            f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        )

    def send(self, *, to: str, body: str) -> str:
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SMSError(f"Twilio answered {exc.code}: {_error_text(exc)}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SMSError(f"Twilio could not be reached: {exc}") from None
        except ValueError:
            raise SMSError("Twilio answered with something that is not JSON") from None
        if not answer.get("sid"):
            raise SMSError("Twilio's answer carries no message sid")
        return str(answer["sid"])


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(exc.read() or b"{}")
    except ValueError:
        return exc.reason or "no details"
    return str(answer.get("message") or exc.reason or "no details")[:300]
