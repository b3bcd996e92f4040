"""Every email is one template that extends `messaging/email/base.html`: its `subject` block is the
subject (also the page's <title> and <h1>), its `content` block the message. The HTML part is that
template rendered; the plain-text part is read out of the same HTML (`email_text`), so the two
never disagree. Marketing email carries its unsubscribe link (messaging.unsubscribe)."""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from messaging.models import Purpose
from messaging.unsubscribe import unsubscribe_url


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def render_email(
    template_name: str,
    context: dict[str, Any],
    *,
    purpose: str = Purpose.PROGRAM,
    address: str = "",
) -> Email:
    """Render an email template as its subject, text and HTML. A marketing email needs the
    `address` it goes to, for its unsubscribe link."""
    # The school's name and address, whatever the caller's context says (Django's password
    # reset puts the request's host in `site_name`).
    context = {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    if purpose == Purpose.MARKETING:
        if not address:
            raise ValueError("A marketing email needs its address, for the unsubscribe link.")
        context["unsubscribe_url"] = unsubscribe_url(address)
    subject = render_to_string(template_name, {**context, "subject_only": True})
    subject = " ".join(html.unescape(subject).split())
    page = render_to_string(template_name, {**context, "subject": subject})
    return Email(subject=subject, text=email_text(page), html=page)


# -- the plain-text part -----------------------------------------------------------------------

# The elements an email may use: blocks (each a paragraph of the text, or holding some) and inline.
PARAGRAPHS = frozenset({"h1", "h2", "h3", "p", "li"})
BLOCKS = PARAGRAPHS | {"html", "body", "div", "header", "footer", "blockquote", "ul", "ol"}
INLINE = frozenset({"a", "strong", "em", "b", "i", "span", "abbr", "time", "code", "br"})
HEAD = frozenset({"title", "style", "meta"})  # inside <head>: not part of the message


def email_text(page: str) -> str:
    """The plain-text part of an email's HTML: one paragraph per block, "- " before a list item,
    and each link as "its text: its address". Only the elements above are allowed: anything else
    (an image, a table, a script) has no faithful text form and raises ValueError."""
    reader = _TextReader()
    reader.feed(page)
    reader.close()
    return reader.text()


@dataclass
class _Link:
    href: str
    start: int  # where its text begins among the paragraph's pieces


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, bool]] = []  # (text, follows the one before tightly)
        self.pieces: list[str] = []  # the paragraph being read
        self.links: list[_Link] = []
        self.lists: list[list[int]] = []  # per open list: [numbered, items so far]
        self.in_head = False
        self.after_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif self.in_head and tag in HEAD:
            return
        elif tag in BLOCKS:
            self._end_paragraph()
            if tag in ("ul", "ol"):
                self.lists.append([tag == "ol", 0])
            elif tag == "li" and self.lists:
                self.lists[-1][1] += 1
        elif tag == "br":
            self.pieces.append("\n")
        elif tag == "a":
            self.links.append(_Link(dict(attrs).get("href") or "", len(self.pieces)))
        elif tag not in INLINE:
            raise ValueError(f"<{tag}> has no plain-text form; an email uses only {_allowed()}.")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        elif self.in_head:
            return
        elif tag in BLOCKS:
            self._end_paragraph(tag)
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
        elif tag == "a" and self.links:
            link = self.links.pop()
            said = " ".join("".join(self.pieces[link.start :]).split())
            if link.href and link.href not in (said, f"mailto:{said}"):
                del self.pieces[link.start :]
                self.pieces.append(f"{said}: {link.href}" if said else link.href)

    def handle_data(self, data: str) -> None:
        if not self.in_head:
            self.pieces.append(re.sub(r"\s+", " ", data))

    def _end_paragraph(self, tag: str = "") -> None:
        """End the paragraph being read; `tag` is the element that ends it, if one does."""
        lines = [" ".join(line.split()) for line in "".join(self.pieces).split("\n")]
        self.pieces.clear()
        text = "\n".join(lines).strip()
        if not text:
            return
        tight = False
        if tag == "li" and self.lists:
            numbered, count = self.lists[-1]
            text = f"{count}. {text}" if numbered else f"- {text}"
            # A list's items stand on consecutive lines, right under a heading that names them.
            tight = count > 1 or self.after_heading
        self.paragraphs.append((text, tight))
        self.after_heading = tag in ("h2", "h3")

    def text(self) -> str:
        self._end_paragraph()
        out = ""
        for text, tight in self.paragraphs:
            out += (("\n" if tight else "\n\n") if out else "") + text
        return out + "\n"


def _allowed() -> str:
    return ", ".join(f"<{tag}>" for tag in sorted(BLOCKS | INLINE))
