"""What an inbound text asks for: the STOP, START and HELP keywords."""

STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT"}
    | {"OPTOUT"}
)
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


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
