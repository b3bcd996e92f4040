"""Messages shown beside the part of the page they are about, so that after a form the person
sees what happened where they are: a view adds one with `extra_tags` naming that part's id
(`messages.success(request, "Booked.", extra_tags="coaching")`); the page renders each part's
own there, and the rest at the top (pass `messages=notices[""]` to override base.html's)."""

from collections import defaultdict

from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest


def notices(request: HttpRequest) -> defaultdict[str, list[Message]]:
    """The request's messages by the id of the part of the page they belong to ("" for none)."""
    by_part: defaultdict[str, list[Message]] = defaultdict(list)
    for message in get_messages(request):
        by_part[message.extra_tags or ""].append(message)
    return by_part
