"""Cohorts as admins keep them, in the Django admin or through the API: a new cohort, a change
of its dates, name, coaches or capacity, and the capacity preview in words.

Both paths check a cohort with the model's own rules (`Cohort.clean`, its fields and
constraints: what the admin's form checks) and take coaches among active coaches only
(`users_with_role`, which also fills the admin's picker); a capacity change is
`cohort_set_capacity`, which offers the seats it frees to the waitlist under the cohort lock."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from accounts.models import Role, User
from accounts.selectors import users_with_role
from backend.audit import attributed
from backend.dates import long_day
from backend.errors import RuleViolation
from enrollment.models import Cohort, Program
from enrollment.services import Actor, CapacityPreview, cohort_set_capacity, lock_cohort


def _check_coaches(coaches: Sequence[User]) -> None:
    ids = {coach.pk for coach in coaches}
    active = set(users_with_role(Role.COACH).filter(pk__in=ids).values_list("pk", flat=True))
    if others := [str(person) for person in coaches if person.pk not in active]:
        raise RuleViolation(f"Not an active coach: {', '.join(others)}.", field="coaches")


@attributed
def cohort_create(
    *,
    program: Program,
    name: str,
    starts_on: date,
    ends_on: date,
    capacity: int,
    enrollment_cutoff: date | None = None,
    coaches: Sequence[User] = (),
    by: User,
) -> Cohort:
    """A new cohort of `program`; its enrollment cutoff defaults to its start date."""
    cohort = Cohort(
        program=program,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        enrollment_cutoff=enrollment_cutoff or starts_on,
    )
    cohort.full_clean()
    _check_coaches(coaches)
    with transaction.atomic():
        cohort.save()
        cohort.coaches.set(coaches)
    return cohort


@attributed
def cohort_update(
    *,
    cohort: Cohort,
    name: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    enrollment_cutoff: date | None = None,
    capacity: int | None = None,
    coaches: Sequence[User] | None = None,
    by: User,
) -> Cohort:
    """Change what is given (None: unchanged), all or nothing. A capacity, even the same one,
    goes through `cohort_set_capacity`: refused below the seats taken, and the seats it frees
    are offered to the waitlist at once, as the admin's "Change capacity" does."""
    changes = {
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "enrollment_cutoff": enrollment_cutoff,
    }
    changes = {field: value for field, value in changes.items() if value is not None}
    with transaction.atomic():
        locked = lock_cohort(cohort.pk)
        if changes:
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.full_clean()
            locked.save(update_fields=list(changes))
        if coaches is not None:
            _check_coaches(coaches)
            locked.coaches.set(coaches)
        if capacity is not None:
            cohort_set_capacity(cohort=locked, capacity=capacity, actor=Actor.of(by))
    return locked


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def capacity_in_words(cohort: Cohort, preview: CapacityPreview) -> str:
    """The preview as one sentence: what the change frees and where each free seat goes."""
    p = preview
    seats = _count(p.free, "seat", "seats") if p.free else "no seat"
    if p.added > 0:
        opening = f"Raising capacity from {p.current} to {p.capacity} frees {p.added} seat"
        opening += "s" if p.added != 1 else ""
        if p.free_before:
            opening += f", which with the {p.free_before} already free makes {p.free}"
    elif p.added < 0:
        opening = f"Lowering capacity from {p.current} to {p.capacity} leaves {seats} free"
    else:
        opening = f"Capacity stays at {p.capacity}, with {seats} free"
    if not p.free:
        return f"{opening}; nobody is offered a seat."
    if p.past_cutoff:
        closed = long_day(cohort.enrollment_cutoff)
        return f"{opening}, but no one is offered a seat: enrollment closed on {closed}."
    parts = []
    if p.offers:
        people = "the first person" if p.offers == 1 else f"the first {p.offers} people"
        get = "gets an offer" if p.offers == 1 else "get an offer"
        hours = cohort.program.offer_hold_hours
        parts.append(
            f"{p.offers} {'goes' if p.offers == 1 else 'go'} to {people} on the waitlist, "
            f"who {get} by email to accept within {hours} hours"
        )
    stay = "stays" if p.owed == 1 else "stay"
    if p.owed:
        next_people = "person" if p.owed == 1 else f"{p.owed} people"
        parts.append(
            f"{p.owed} {stay} owed to the waitlist, so the next {next_people} to join it "
            f"{'gets' if p.owed == 1 else 'get'} an offer at once"
        )
    if p.left_open:
        stay = "stays" if p.left_open == 1 else "stay"
        if p.waitlist_only:
            parts.append(
                f"{p.left_open} {stay} closed, because {cohort.program.name} is waitlist-only "
                "and only seats given back go to the waitlist"
            )
        else:
            parts.append(f"{p.left_open} {stay} open for new applicants")
    return f"{opening}: {'; '.join(parts)}."
