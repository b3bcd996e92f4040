"""Reads of the people: who holds a role."""

from django.db.models import QuerySet

from accounts.models import User


def users_with_role(role: str) -> QuerySet[User]:
    """Active users in the role's group, by name (e.g. the coaches an admin may pick)."""
    return User.objects.filter(groups__name=role, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
