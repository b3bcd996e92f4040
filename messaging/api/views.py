"""The SMS provider's webhook for inbound texts (STOP, START, HELP), signed by the provider."""

import base64
import hashlib
import hmac
import logging

import phonenumbers
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from backend.api import JsonWhateverAccepted, TokenRateThrottle
from messaging.services import receive_text

logger = logging.getLogger(__name__)

# An empty TwiML answer: replies go out through the SMS backend, where they are logged.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class InboundTextSerializer(serializers.Serializer):
    """Twilio's field names; other providers' adapters map to these."""

    From = serializers.CharField(max_length=32)
    To = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    Body = serializers.CharField(
        max_length=1600, required=False, allow_blank=True, trim_whitespace=False, default=""
    )
    MessageSid = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


def twilio_signature(url: str, params: dict[str, list[str]], secret: str) -> str:
    """Twilio's scheme: base64 HMAC-SHA1 of the full URL followed by each form field's name and
    value, fields sorted by name."""
    payload = url + "".join(
        name + value for name in sorted(params) for value in sorted(params[name])
    )
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def body_signature(body: bytes, secret: str) -> str:
    """The contract's own scheme: hex HMAC-SHA256 of the raw request body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(request: Request) -> bool:
    """True when X-Twilio-Signature or X-Signature matches; compared in constant time."""
    secret = settings.SMS_WEBHOOK_SECRET
    if not secret:
        logger.warning("inbound text refused: SMS_WEBHOOK_SECRET is not set")
        return False
    raw = request._request.body  # read before the form is parsed
    if twilio := request.headers.get("X-Twilio-Signature"):
        # Signed over the public address the provider was given, not our Host header.
        url = settings.SITE_URL + request.get_full_path()
        expected = twilio_signature(url, dict(request.POST.lists()), secret)
        return hmac.compare_digest(twilio.encode(), expected.encode())
    if signature := request.headers.get("X-Signature"):
        return hmac.compare_digest(signature.lower().encode(), body_signature(raw, secret).encode())
    return False


SIGNATURES = [
    OpenApiParameter(
        "X-Twilio-Signature",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Twilio's signature: base64 HMAC-SHA1, with SMS_WEBHOOK_SECRET, of SITE_URL "
        "plus the path and query, followed by each form field's name and value, sorted by name.",
    ),
    OpenApiParameter(
        "X-Signature",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Or: the hex HMAC-SHA256 of the raw body with SMS_WEBHOOK_SECRET.",
    ),
]


class InboundTextView(APIView):
    """Inbound texts from the SMS provider. STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE
    and OPT OUT revoke text consent at once (one confirmation), START restores it, HELP answers.
    Signed with `X-Twilio-Signature` or `X-Signature`; unsigned or forged requests get 403."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]
    # Errors are JSON, whatever the provider accepts; a text's answer is TwiML.
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonWhateverAccepted

    @extend_schema(
        request={"application/x-www-form-urlencoded": InboundTextSerializer},
        parameters=SIGNATURES,
        responses={
            (200, "text/xml"): OpenApiResponse(OpenApiTypes.STR, description="Empty TwiML"),
            400: OpenApiResponse(description="Not a phone number"),
            403: OpenApiResponse(description="Missing or wrong signature"),
            429: OpenApiResponse(description="Too many unsigned or forged requests."),
        },
        auth=[],
        tags=["messaging"],
    )
    def post(self, request: Request) -> HttpResponse:
        if not is_signed(request):
            # Only failed signatures count: the provider's own texts (a burst of STOPs after a
            # mass text, from one of its addresses) are never turned away.
            throttle = TokenRateThrottle()
            if not throttle.allow_request(request, self):
                raise Throttled(throttle.wait())
            raise PermissionDenied("The signature is missing or wrong.")
        form = InboundTextSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        receive_text(
            from_number=_e164(form.validated_data["From"]),
            to_number=form.validated_data["To"],
            body=form.validated_data["Body"],
            provider_id=form.validated_data["MessageSid"],
        )
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")


def _e164(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValidationError({"From": ["Not a phone number."]})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
