"""Request parsers for the API (a module of its own: DRF imports it while loading its views)."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

NUL_REFUSED = "Null characters are not allowed."


def _nul_at(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_nul_at(key) or _nul_at(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_nul_at(item) for item in data)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a NUL character anywhere in the document with a field error:
    PostgreSQL cannot store one, and a lookup by one (a slug, a token) is a database error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if isinstance(data, dict):
            errors = {
                str(key): [NUL_REFUSED] for key, value in data.items() if _nul_at([key, value])
            }
            if errors:
                raise ValidationError(errors)
        elif _nul_at(data):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [NUL_REFUSED]})
        return data
