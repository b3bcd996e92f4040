from backend.periodic import periodic
from coaching.notifications import queue_session_reminders


@periodic
def remind_coaching_sessions() -> int:
    """Remind students, once per session, of a coaching session within 24 hours."""
    return queue_session_reminders()
