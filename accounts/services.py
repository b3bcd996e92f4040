"""People as admins add and change them: the model's own rules (`User.clean`, its fields: what
the admin's forms check), each change kept in the person's field history."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from backend.audit import attributed
from backend.errors import RuleViolation

TAKEN = "Someone already has an account with this email address."


@attributed
def person_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    phone: PhoneNumber | str = "",
    time_zone: str = "",
    by: User,
) -> User:
    """A new person holding `role`, with no password until they choose one (from the link of
    their invitation, or "Forgot your password?"). The caller holds a transaction."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise RuleViolation(TAKEN, field="email")
    person = User(
        email=email, first_name=first_name, last_name=last_name, phone=phone, time_zone=time_zone
    )
    person.set_unusable_password()
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same address, added a moment ago by someone else
        raise RuleViolation(TAKEN, field="email") from None
    person.groups.add(Group.objects.get_or_create(name=role)[0])
    return person


@attributed
def person_update(
    *,
    person: User,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: PhoneNumber | str | None = None,
    time_zone: str | None = None,
    by: User,
) -> User:
    """Change what is given (None: unchanged). A blank time zone means "unknown": texts then
    wait for the hours of the zone the phone number's area code gives, else the school's."""
    changes = {
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "time_zone": time_zone,
    }
    changes = {field: value for field, value in changes.items() if value is not None}
    for field, value in changes.items():
        setattr(person, field, value)
    person.full_clean()
    if changes:
        person.save(update_fields=list(changes))
    return person
