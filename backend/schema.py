"""The OpenAPI schema's generator: drf-spectacular's, plus the error answers of each operation.

Its own module: backend.api is imported while DRF's generic views load, and drf-spectacular's
AutoSchema imports those views."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "description": "Field errors as {field: [message, ...]}, or {detail, code}.",
            "additionalProperties": {},
        }
    }
}
ERRORS = {
    "400": "Bad input, with field errors.",
    "401": "No valid credentials.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object, or one the caller may not see.",
    "409": "Not allowed from the object's current state.",
    "429": "Too many requests; try again later.",
}


class Schema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, so that clients
    (and the schema fuzzing in the tests) know every status code to expect."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(code, {"description": ERRORS[code], "content": ERROR_BODY})
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400"]  # query strings, bodies and ids can all be malformed
        # Views pick permissions and throttles per action; drf-spectacular sets the action.
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():  # a missing object, or a page past the end
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema.get("format") == "email" and getattr(field, "allow_blank", False):
            # An optional address is "" when absent, which is no email address.
            del schema["format"]
            schema["description"] = (
                schema.get("description", "") + " An email address, or empty."
            ).strip()
        return schema
