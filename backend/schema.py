"""The OpenAPI schema's generator: drf-spectacular's, plus the error answers of each operation
and a few field shapes it gets wrong for us.

Its own module: backend.api is imported while DRF's generic views load, and drf-spectacular's
AutoSchema imports those views."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_SCHEMA = {
    "type": "object",
    "description": "Field errors as {field: [message, ...]}, or {detail, code}.",
    "additionalProperties": {},
}
ERRORS = {
    "400": "Bad input, with field errors.",
    "401": "No valid credentials.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object, or one the caller may not see (in the path, the query or the body).",
    "409": "Not allowed from the object's current state.",
    "413": "A body larger than the API accepts (2.5 MB).",
    "415": "A body in a media type this operation does not read.",
    "429": "Too many requests; try again later.",
    "503": "The database is briefly unavailable; try again after Retry-After.",
}
HH_MM = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:30"}
# The null beside a nullable reference: OpenAPI 3.0 ignores `nullable` next to `allOf: [$ref]`
# (drf-spectacular's form), so null goes in a branch of its own, as the spec's authors advise.
NULL = {"type": "object", "nullable": True, "enum": [None]}


def _blank_allowed(field: serializers.Field) -> bool:
    """Whether the field can hold "": said by the serializer, or by the model field behind a
    read-only one."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    try:
        return bool(model and model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class Schema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, so that clients
    (and the schema fuzzing in the tests) know every status code to expect."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # An error comes in whatever format the request asked for (the report's CSV too).
        content = {
            renderer.media_type: {
                "schema": ERROR_SCHEMA if "json" in renderer.media_type else {"type": "string"}
            }
            for renderer in self.view.get_renderers()
        }
        for code in self._error_codes():
            responses.setdefault(code, {"description": ERRORS[code], "content": content})
        # An error an operation declares with only its description has the same body.
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                response.setdefault("content", content)
        return responses

    def _error_codes(self) -> list[str]:
        # Malformed input; an id the caller may not see; a database that cannot answer.
        codes = ["400", "404", "503"]
        # Views pick permissions and throttles per action; drf-spectacular sets the action.
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return sorted(codes)

    def _map_serializer_field(
        self, field: serializers.Field, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        if isinstance(field, serializers.CharField | serializers.ChoiceField) and _blank_allowed(
            field
        ):
            field.allow_blank = True  # drf-spectacular then allows "" beside the enum or format
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        formats = {getattr(field, "format", None), *(getattr(field, "input_formats", None) or ())}
        if isinstance(field, serializers.TimeField) and "%H:%M" in formats:
            schema = {**{k: v for k, v in schema.items() if k != "format"}, **HH_MM}
        if schema.get("nullable") and len(schema.get("allOf", ())) == 1:
            rest = {k: v for k, v in schema.items() if k not in ("allOf", "nullable")}
            schema = {"oneOf": [*schema["allOf"], NULL], **rest}
        return schema
