"""A hypothesis state machine drives random sequences of seat changes and checks the invariants
after every step: never more seats held than capacity, no free seat while someone waits, positions
1..n in submission order, and nobody skipped."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.db.models import Max, Min
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from backend.errors import AlreadyApplied, DomainError
from enrollment.applying import application_submit
from enrollment.models import Application, Status
from enrollment.selectors import cohorts_with_counts, waitlist
from enrollment.services import (
    Actor,
    application_accept,
    application_decline,
    application_withdraw,
    cohort_set_capacity,
    settle_cohort,
)
from tests.factories import CohortFactory, applicant

APPLICANT = Actor(label="applicant")
STAFF = Actor(label="staff")


class Seats(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.cohort = CohortFactory(capacity=2)
        self.people = 0

    @initialize(crowd=st.integers(min_value=0, max_value=6))
    def a_crowd_applies(self, crowd: int) -> None:
        """Start most runs with a waitlist, where the ordering rules matter."""
        for _ in range(crowd):
            self.apply(minor=False)

    def applications(self) -> list[Application]:
        return list(self.cohort.applications.order_by("id"))

    @rule(minor=st.booleans())
    def apply(self, minor: bool) -> None:
        self.people += 1
        birth = self.cohort.starts_on - timedelta(days=365 * (16 if minor else 30))
        application, created = application_submit(
            cohort=self.cohort, **applicant(self.people, date_of_birth=birth)
        )
        assert created
        assert (application.status == Status.INELIGIBLE) == minor

    @rule(index=st.integers(min_value=0), again=st.booleans())
    def apply_twice(self, index: int, again: bool) -> None:
        """The same person applying again is refused and nothing changes."""
        standing = list(  # a lapsed offer no longer stands: its holder may apply again
            self.cohort.applications.filter(status__in=[Status.OFFERED, Status.WAITLISTED]).exclude(
                status=Status.OFFERED, offer_expires_at__lte=timezone.now()
            )
        )
        if standing:
            person = standing[index % len(standing)]
            before = self.cohort.applications.count()
            with pytest.raises(AlreadyApplied):
                application_submit(
                    cohort=self.cohort,
                    **applicant(0, email=person.email, phone=str(person.phone)),
                )
            assert self.cohort.applications.count() == before

    @rule(index=st.integers(min_value=0), verb=st.sampled_from(["accept", "decline", "withdraw"]))
    def decide(self, index: int, verb: str) -> None:
        people = self.applications()
        if not people:
            return
        service = {
            "accept": application_accept,
            "decline": application_decline,
            "withdraw": application_withdraw,
        }[verb]
        with suppress(DomainError):  # a refusal (409) must leave the invariants true as well
            service(application=people[index % len(people)], actor=APPLICANT)

    @rule(index=st.integers(min_value=0))
    def an_offer_lapses(self, index: int) -> None:
        offers = list(self.cohort.applications.filter(status=Status.OFFERED).order_by("id"))
        if offers:
            lapsed = offers[index % len(offers)]
            Application.objects.filter(pk=lapsed.pk).update(
                offer_expires_at=timezone.now() - timedelta(seconds=1)
            )

    @rule(hours=st.integers(min_value=1, max_value=72))
    def the_clock_moves(self, hours: int) -> None:
        """Every deadline comes `hours` closer, as if that much time had passed."""
        for offer in self.cohort.applications.filter(status=Status.OFFERED):
            Application.objects.filter(pk=offer.pk).update(
                offer_expires_at=offer.offer_expires_at - timedelta(hours=hours)
            )

    @rule()
    def the_worker_runs(self) -> None:
        settle_cohort(self.cohort.pk)

    @rule(capacity=st.integers(min_value=0, max_value=8))
    def change_capacity(self, capacity: int) -> None:
        try:
            cohort_set_capacity(cohort=self.cohort, capacity=capacity, actor=STAFF)
        except DomainError:
            assert capacity < self.held()
        self.cohort.refresh_from_db()

    def held(self) -> int:
        """Enrolled plus unexpired offers: a lapsed offer holds nothing, settled or not."""
        counts = cohorts_with_counts().get(pk=self.cohort.pk)
        return counts.enrolled_count + counts.offered_count

    @invariant()
    def never_more_seats_held_than_capacity(self) -> None:
        self.cohort.refresh_from_db()
        assert self.held() <= self.cohort.capacity

    @invariant()
    def no_free_seat_while_someone_waits(self) -> None:
        """Unless a lapsed offer still awaits the worker or the next read, which settle it."""
        applications = self.cohort.applications
        waiting = applications.filter(status=Status.WAITLISTED).exists()
        unsettled = applications.filter(
            status=Status.OFFERED, offer_expires_at__lte=timezone.now()
        ).exists()
        if waiting and not unsettled:
            assert self.held() == self.cohort.capacity

    @invariant()
    def positions_are_1_to_n_in_submission_order(self) -> None:
        entries = list(waitlist(self.cohort))
        assert [e.position for e in entries] == list(range(1, len(entries) + 1))
        assert [e.submitted_at for e in entries] == sorted(e.submitted_at for e in entries)

    @invariant()
    def nobody_is_skipped(self) -> None:
        seated = self.cohort.applications.filter(
            status__in=[Status.OFFERED, Status.ENROLLED]
        ).aggregate(last=Max("submitted_at"))
        waiting = self.cohort.applications.filter(status=Status.WAITLISTED).aggregate(
            first=Min("submitted_at")
        )
        if seated["last"] and waiting["first"]:
            assert seated["last"] <= waiting["first"]

    @invariant()
    def the_ineligible_hold_nothing(self) -> None:
        for person in self.cohort.applications.filter(status=Status.INELIGIBLE):
            assert person.offer_expires_at is None
            assert person.ineligibility_reason


@pytest.mark.django_db
def test_seat_invariants_hold_through_random_sequences_of_changes() -> None:
    run_state_machine_as_test(
        Seats,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
