"""How a program's data reads on its page: money as people write it, a list typed one a line."""

from django import template

register = template.Library()


@register.filter
def dollars(cents: int | None) -> str:
    """3400 dollars in cents reads "$3,400"; with cents, "$3,400.50"."""
    if cents is None:
        return ""
    whole, part = divmod(cents, 100)
    return f"${whole:,}" if not part else f"${whole:,}.{part:02d}"


@register.filter
def lines(text: str) -> list[str]:
    """The non-empty lines of a text typed one item a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
