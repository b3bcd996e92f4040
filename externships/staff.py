"""The school's staff as an admin adds them through the API: a coach, or a supervisor tied to
the site they supervise at, each invited by email to choose a password.

Here rather than in accounts because a supervisor belongs to a site and the invitation is an
email: externships is the lowest app that sees both (STYLE.md's layers)."""

from django.db import transaction
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import Role, User
from accounts.services import person_create
from backend.audit import attributed
from backend.errors import RuleViolation
from externships.models import Site
from messaging.invitations import queue_staff_invitation

# The roles an admin adds here; admins themselves are made in the Django admin.
STAFF_ROLES = (Role.COACH, Role.SUPERVISOR)
STAFF_ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]


@attributed
def staff_member_add(
    *,
    role: str,
    email: str,
    first_name: str,
    last_name: str,
    phone: PhoneNumber | str = "",
    time_zone: str = "",
    site: Site | None = None,
    by: User,
) -> User:
    """A new coach, or a supervisor at `site` (required for them, refused for a coach), with no
    password yet: the invitation emailed after commit carries the link to choose one."""
    if role not in STAFF_ROLES:
        raise RuleViolation("Add a coach or a supervisor.", field="role")
    if role == Role.SUPERVISOR and site is None:
        raise RuleViolation("A supervisor supervises at a site: give its id.", field="site")
    if role == Role.COACH and site is not None:
        raise RuleViolation("A coach is not tied to a site.", field="site")
    with transaction.atomic():
        person = person_create(
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            phone=phone,
            time_zone=time_zone,
            by=by,
        )
        if site is None:
            work = (
                "There you will find your caseload, the students who need you first, with "
                "their progress, sessions and notes."
            )
            queue_staff_invitation(person, role="coach", work=work)
        else:
            site.supervisors.add(person)
            work = (
                f"There you will review the clinical hours and procedures that students log at "
                f"{site.name}: approve them, or send them back with a reason."
            )
            queue_staff_invitation(person, role="site supervisor", work=work)
    return person
