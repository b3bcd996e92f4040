from django.utils import timezone

from backend.periodic import periodic
from enrollment.models import Cohort
from enrollment.notifications import queue_offer_expiring_reminders
from enrollment.selectors import cohorts_with_free_seats_and_a_waitlist
from enrollment.services import cohort_close_waitlist, settle_cohort, settle_expired_offers


@periodic
def expire_offers() -> int:
    """Expire lapsed offers and pass their seats on; returns the cohorts settled."""
    return settle_expired_offers()


@periodic
def offer_free_seats() -> int:
    """Offer seats left free while people wait (e.g. after a program leaves waitlist-only)."""
    return sum(len(settle_cohort(cohort.pk)) for cohort in cohorts_with_free_seats_and_a_waitlist())


@periodic
def close_waitlists_at_cutoff() -> int:
    """Tell the waitlisted of cohorts that reached their cutoff; returns the people told."""
    due = Cohort.objects.filter(
        enrollment_cutoff__lte=timezone.localdate(), cutoff_notified_at__isnull=True
    )
    return sum(cohort_close_waitlist(cohort) for cohort in due)


@periodic
def remind_offers_expiring() -> int:
    """Remind applicants, once per offer, that their offer lapses within 24 hours."""
    return queue_offer_expiring_reminders()
