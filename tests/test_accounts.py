import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_five_roles_exist_as_groups() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_email_is_the_login_and_is_stored_lowercase() -> None:
    user = User.objects.create_user("Pat.Lee@School.TEST", "pw-123-long-enough")
    assert user.email == "pat.lee@school.test"
    assert User.objects.get(email="pat.lee@school.test").check_password("pw-123-long-enough")


def test_two_accounts_cannot_share_an_email_in_any_case() -> None:
    UserFactory(email="pat@school.test")
    with pytest.raises(IntegrityError):
        User.objects.create(email="PAT@school.test")


def test_phone_is_kept_in_e164() -> None:
    user = UserFactory(phone="(202) 555-0147")
    user.refresh_from_db()
    assert str(user.phone) == "+12025550147"


def test_a_superuser_holds_the_admin_role() -> None:
    user = User.objects.create_superuser("root@school.test", "pw-123-long-enough")
    assert user.has_role(Role.ADMIN)
    assert user.is_school_staff


def test_roles_come_from_groups(coach: User, student: User) -> None:
    assert coach.is_school_staff
    assert coach.has_role(Role.COACH)
    assert not student.is_school_staff
