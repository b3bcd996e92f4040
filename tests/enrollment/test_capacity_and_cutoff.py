"""Capacity changes (with the admin's preview) and the enrollment cutoff."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from backend.errors import RuleViolation
from enrollment.applying import application_submit
from enrollment.models import Application, Cohort, Status
from enrollment.services import (
    Actor,
    application_decline,
    application_move_to_next_cohort,
    application_withdraw,
    capacity_change_preview,
    cohort_set_capacity,
    settle_expired_offers,
)
from enrollment.tasks import close_waitlists_at_cutoff
from tests.factories import CohortFactory, ProgramFactory, applicant

pytestmark = pytest.mark.django_db
STAFF = Actor(label="director@school.test")


def fill(cohort: Cohort, count: int, start: int = 0) -> list[Application]:
    return [application_submit(cohort=cohort, **applicant(start + n))[0] for n in range(count)]


def statuses(applications: list[Application]) -> list[str]:
    return [Application.objects.get(pk=a.pk).status for a in applications]


def test_raising_capacity_offers_the_new_seats_to_the_waitlist_in_order() -> None:
    cohort = CohortFactory(capacity=1)
    people = fill(cohort, 4)
    assert capacity_change_preview(cohort=cohort, capacity=3).offers == 2
    offers = cohort_set_capacity(cohort=cohort, capacity=3, actor=STAFF)
    assert [a.pk for a in offers] == [people[1].pk, people[2].pk]
    assert statuses(people) == ["offered", "offered", "offered", "waitlisted"]


def test_the_preview_never_promises_more_offers_than_people_waiting() -> None:
    cohort = CohortFactory(capacity=1)
    fill(cohort, 2)
    assert capacity_change_preview(cohort=cohort, capacity=10).offers == 1


def test_lowering_capacity_below_the_seats_taken_is_refused() -> None:
    cohort = CohortFactory(capacity=3)
    fill(cohort, 3)
    with pytest.raises(RuleViolation, match="3 seats are taken"):
        cohort_set_capacity(cohort=cohort, capacity=2, actor=STAFF)
    cohort.refresh_from_db()
    assert cohort.capacity == 3


def test_lowering_capacity_to_the_seats_taken_is_allowed() -> None:
    cohort = CohortFactory(capacity=5)
    fill(cohort, 2)
    cohort_set_capacity(cohort=cohort, capacity=2, actor=STAFF)
    assert application_submit(cohort=cohort, **applicant(9))[0].status == Status.WAITLISTED


def test_no_offer_is_made_once_the_cutoff_has_come() -> None:
    cohort = CohortFactory(capacity=1)
    offered, waiting = fill(cohort, 2)
    Cohort.objects.filter(pk=cohort.pk).update(enrollment_cutoff=timezone.localdate())
    Application.objects.filter(pk=offered.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    cohort.refresh_from_db()
    assert capacity_change_preview(cohort=cohort, capacity=5).offers == 0
    cohort_set_capacity(cohort=cohort, capacity=5, actor=STAFF)
    assert statuses([offered, waiting]) == ["expired", "waitlisted"]


def test_at_the_cutoff_the_waitlisted_are_told_once(
    mailoutbox, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory(capacity=1)
    fill(cohort, 3)
    Cohort.objects.filter(pk=cohort.pk).update(enrollment_cutoff=timezone.localdate())
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert close_waitlists_at_cutoff() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert close_waitlists_at_cutoff() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["jamie1@example.com", "jamie2@example.com"]
    assert all("next cohort" in m.body for m in mail.outbox)


def test_a_waitlisted_applicant_moves_to_the_next_cohort_keeping_their_place() -> None:
    program = ProgramFactory()
    closing = CohortFactory(
        program=program, capacity=0, starts_on=timezone.localdate() + timedelta(days=5)
    )
    [early] = fill(closing, 1)
    following = CohortFactory(
        program=program, capacity=0, starts_on=timezone.localdate() + timedelta(days=40)
    )
    later_people = fill(following, 2, start=10)
    Cohort.objects.filter(pk=closing.pk).update(enrollment_cutoff=timezone.localdate())

    moved = application_move_to_next_cohort(application=early, actor=Actor(label="applicant"))
    assert moved.cohort_id == following.pk
    assert moved.submitted_at == early.submitted_at
    from enrollment.selectors import waitlist

    assert [a.pk for a in waitlist(following)] == [early.pk, *[a.pk for a in later_people]]
    assert moved.history.last().reason.startswith("Moved from")


def test_moving_before_the_cutoff_is_refused() -> None:
    program = ProgramFactory()
    cohort = CohortFactory(program=program, capacity=0)
    CohortFactory(program=program, starts_on=cohort.starts_on + timedelta(days=30))
    [waiting] = fill(cohort, 1)
    from backend.errors import NotAllowed

    with pytest.raises(NotAllowed):
        application_move_to_next_cohort(application=waiting, actor=Actor(label="applicant"))


def test_a_moved_applicant_takes_a_free_seat_in_the_next_cohort() -> None:
    program = ProgramFactory()
    closing = CohortFactory(
        program=program, capacity=0, starts_on=timezone.localdate() + timedelta(days=5)
    )
    [early] = fill(closing, 1)
    CohortFactory(program=program, capacity=2, starts_on=timezone.localdate() + timedelta(days=40))
    Cohort.objects.filter(pk=closing.pk).update(enrollment_cutoff=timezone.localdate())
    moved = application_move_to_next_cohort(application=early, actor=Actor(label="applicant"))
    assert moved.status == Status.OFFERED


def test_a_waitlist_only_program_holds_its_untaken_seats_until_it_reopens(
    client, admin_user
) -> None:
    from enrollment.tasks import offer_free_seats

    program = ProgramFactory(waitlist_only=True)
    cohort = CohortFactory(program=program, capacity=2)
    people = fill(cohort, 3)
    assert statuses(people) == ["waitlisted"] * 3
    assert offer_free_seats() == 0

    client.force_login(admin_user)
    change = (
        client.get(f"/admin/enrollment/program/{program.pk}/change/")
        .context["adminform"]
        .form.initial
    )
    client.post(
        f"/admin/enrollment/program/{program.pk}/change/",
        {**{k: v for k, v in change.items() if v is not None}, "waitlist_only": ""},
    )
    program.refresh_from_db()
    assert not program.waitlist_only
    assert statuses(people) == ["offered", "offered", "waitlisted"]


def test_lowering_capacity_counts_only_live_holds_before_the_waitlist_moves_up() -> None:
    cohort = CohortFactory(capacity=2)
    lapsed, holding, waiting = fill(cohort, 3)
    Application.objects.filter(pk=lapsed.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert cohort_set_capacity(cohort=cohort, capacity=1, actor=STAFF) == []
    assert statuses([lapsed, holding, waiting]) == ["expired", "offered", "waitlisted"]


# -- waitlist-only programs: new applicants wait, but every seat given back moves the line ------


def full_waitlist_only_cohort(holders: int, waiting: int) -> tuple[list, list]:
    """A cohort filled while open, then closed to new enrollment (as the demo's surgical one)."""
    program = ProgramFactory(waitlist_only=False)
    cohort = CohortFactory(program=program, capacity=holders)
    seated = fill(cohort, holders)
    program.waitlist_only = True
    program.save()
    return seated, fill(cohort, waiting, start=holders)


def test_in_a_waitlist_only_program_a_withdrawal_offers_the_seat_to_the_first_in_line() -> None:
    seated, waiting = full_waitlist_only_cohort(holders=2, waiting=3)
    assert statuses(seated + waiting) == ["offered"] * 2 + ["waitlisted"] * 3
    application_withdraw(application=seated[0], actor=STAFF)
    assert statuses(waiting) == ["offered", "waitlisted", "waitlisted"]


def test_in_a_waitlist_only_program_a_decline_and_an_expiry_move_the_line_in_order() -> None:
    seated, waiting = full_waitlist_only_cohort(holders=2, waiting=3)
    application_decline(application=seated[0], actor=STAFF)
    Application.objects.filter(pk=seated[1].pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    settle_expired_offers()
    assert statuses(waiting) == ["offered", "offered", "waitlisted"]


def test_in_a_waitlist_only_program_a_capacity_raise_offers_the_added_seats_as_previewed() -> None:
    seated, waiting = full_waitlist_only_cohort(holders=2, waiting=3)
    cohort = seated[0].cohort
    assert capacity_change_preview(cohort=cohort, capacity=4).offers == 2
    offers = cohort_set_capacity(cohort=cohort, capacity=4, actor=STAFF)
    assert [a.pk for a in offers] == [a.pk for a in waiting[:2]]
    assert statuses(waiting) == ["offered", "offered", "waitlisted"]


def test_in_a_waitlist_only_program_seats_added_while_nobody_waits_go_to_the_next_in_line() -> None:
    seated, _ = full_waitlist_only_cohort(holders=1, waiting=0)
    cohort = seated[0].cohort
    cohort_set_capacity(cohort=cohort, capacity=3, actor=STAFF)  # nobody waits for them yet
    [newcomer] = fill(cohort, 1, start=5)
    # Nobody waited when the seats were added: they are owed to the next to come, in order.
    assert newcomer.status == Status.OFFERED
    [second, third] = fill(cohort, 2, start=6)
    assert [second.status, third.status] == [Status.OFFERED, Status.WAITLISTED]
    assert third.waitlist_position == 1


def test_the_admin_preview_counts_the_offers_of_a_waitlist_only_cohort(client, admin_user) -> None:
    seated, _ = full_waitlist_only_cohort(holders=2, waiting=3)
    cohort = seated[0].cohort
    client.force_login(admin_user)
    page = client.post(
        f"/admin/enrollment/cohort/{cohort.pk}/capacity/", {"capacity": 3}
    ).content.decode()
    assert "1 offer" in page


def test_a_waitlist_only_newcomer_offered_a_seat_given_back_hears_of_it_once(
    django_capture_on_commit_callbacks,
) -> None:
    seated, _ = full_waitlist_only_cohort(holders=1, waiting=0)
    application_withdraw(application=seated[0], actor=STAFF)  # nobody waits: the seat is owed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [newcomer] = fill(seated[0].cohort, 1, start=5)
    assert newcomer.status == Status.OFFERED
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
