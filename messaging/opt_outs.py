"""What an inbound text asks for: the STOP, START and HELP keywords, and an opt-out in the
person's own words ("Please stop texting me"), which must revoke too (FCC 24-24, 47 CFR
64.1200(a)(10)).

A free-worded opt-out is a sentence that, apart from courtesy words, is one of the phrases below;
so "I can't stop by today" or "stop by the office" revoke nothing."""

import re

STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT"}
    | {"OPTOUT"}
)
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

_TEXTS = (
    r"(?:(?:(?:these|those|the|your|ur|all|any|any more|anymore) )?"
    r"(?:texts?|txts?|text messages|messages?|msgs?|sms)|these|this|them)"
)
_CONTACTING = r"(?:texting|txting|messaging|sending|contacting|calling|bothering|spamming)"
_ME = r"(?:me|this number|my number|my phone)"
_TO_TEXT = r"(?:text|txt|message|contact|call|send)"
_GETTING = r"(?:getting|receiving)"
_LIST = r"(?:(?:off|from|of) (?:(?:your|this|the|ur) )?(?:list|texts?|messages?|system))"
OPT_OUT_PHRASES = [
    rf"stop(?: (?:it|this|these|that|all|now))?(?: {_TEXTS})?",
    rf"(?:stop|quit) {_CONTACTING}(?: {_ME})?(?: {_TEXTS})?(?: to {_ME})?",
    rf"(?:remove|take|delete) (?:me|my number|this number)(?: {_LIST})?",
    rf"(?:unsubscribe|opt out|optout|opt me out)(?: me)?(?: {_LIST})?",
    rf"(?:dont|do not|never) {_TO_TEXT}(?: {_ME})?(?: {_TEXTS})?",
    rf"no more {_TEXTS}",
    r"leave me alone",
    rf"i (?:dont|do not) want(?: to (?:receive|get))? {_TEXTS}",
    rf"i (?:want|would like|wish|need) to (?:unsubscribe|opt out|stop {_GETTING} {_TEXTS})",
]
_COURTESY_BEFORE = r"(?:(?:please|pls|plz|kindly|ok|okay|hi|hey|just|so|yes|can you|could you) )*"
_COURTESY_AFTER = r"(?: (?:please|pls|plz|now|anymore|any more|again|ever|thanks|thank you|thx))*"
OPT_OUT = re.compile(rf"{_COURTESY_BEFORE}(?:{'|'.join(OPT_OUT_PHRASES)}){_COURTESY_AFTER}")


def keyword(text: str) -> str:
    """`stop`, `start`, `help` or "" for a text: any case, spaces and punctuation ignored."""
    words = " ".join("".join(ch if ch.isalnum() else " " for ch in text.upper()).split())
    if words in STOP_WORDS:
        return "stop"
    if words in START_WORDS:
        return "start"
    if words in HELP_WORDS:
        return "help"
    return ""


def asks_to_stop(text: str) -> bool:
    """Whether some sentence of the text is an opt-out in the person's own words."""
    return any(OPT_OUT.fullmatch(sentence) for sentence in _sentences(text))


def _sentences(text: str) -> list[str]:
    """The text's sentences and clauses, lower case, apostrophes dropped ("don't" is "dont"),
    other punctuation as spaces."""
    text = re.sub(r"['\u2019]", "", text.lower())
    return [
        " ".join(re.sub(r"[^a-z0-9]+", " ", part).split())
        for part in re.split(r"[.!?;,\n]+|\s-\s", text)
    ]
