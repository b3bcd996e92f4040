from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.api.serializers import TokenRequestSerializer, TokenSerializer
from accounts.tokens import issue_token, revoke_tokens
from backend.api import LoginRateThrottle


class TokenView(APIView):
    """`POST`: trade an email and password for a new API token (`Authorization: Token <token>`).
    `DELETE`: sign out of the API everywhere, revoking every token of the signed-in person."""

    def _signing_in(self) -> bool:
        # Asked before DRF wraps the request: Django's request (View.setup), or none at all
        # while the schema generator builds its mock request.
        request = getattr(self, "request", None)
        return request is not None and request.method == "POST"

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Signing in reads no credentials: a lapsed token in the header must not stop it.
        return [] if self._signing_in() else super().get_authenticators()

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self._signing_in() else [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [LoginRateThrottle()] if self._signing_in() else []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        description=(
            "A new token at each sign-in. It lapses after `API_TOKEN_IDLE_DAYS` (default 30) "
            "without use (401 `token_expired`), when its person changes password, or signs out "
            "everywhere. After 5 wrong passwords in a row the account waits (429 "
            "`too_many_failed_sign_ins`, with `Retry-After`)."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response({"token": issue_token(user=serializer.validated_data["user"])})

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Every token of this person is revoked.")},
        description="Sign out of the API everywhere: every token of the signed-in person stops "
        "working at once, the one sending this request included.",
    )
    def delete(self, request: Request) -> Response:
        revoke_tokens(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
