"""Request parsers for the API (a module of its own: DRF imports it while loading its views)."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings

NUL_REFUSED = "Null characters are not allowed."
# No body of ours nests more than three levels; a deep one is an attack on the recursion limit.
MAX_DEPTH = 20
TOO_DEEP = {
    "detail": f"JSON nested more than {MAX_DEPTH} levels deep is not accepted.",
    "code": "too_deep",
}


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and objects nest beyond `limit` levels (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if level > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, level + 1) for child in children)
    return False


def _nul_at(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_nul_at(key) or _nul_at(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_nul_at(item) for item in data)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a document nested more than `MAX_DEPTH` levels (before any
    code walks it recursively), and a NUL character anywhere in it with a field error: PostgreSQL
    cannot store one, and a lookup by one (a slug, a token) is a database error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # deeper than Python's own decoder goes
            raise ParseError(TOO_DEEP) from None
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        if isinstance(data, dict):
            errors = {
                str(key): [NUL_REFUSED] for key, value in data.items() if _nul_at([key, value])
            }
            if errors:
                raise ValidationError(errors)
        elif _nul_at(data):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [NUL_REFUSED]})
        return data
