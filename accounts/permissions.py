"""DRF permission classes by role, for every app's API."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Role


class HasRole(BasePermission):
    """Allows signed-in users holding any of `roles`; subclass and set `roles`."""

    roles: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(*self.roles))


class IsAdmin(HasRole):
    roles = (Role.ADMIN,)


class IsStaff(HasRole):
    """Coaches and admins."""

    roles = (Role.COACH, Role.ADMIN)


class IsCoach(HasRole):
    roles = (Role.COACH,)


class IsStudent(HasRole):
    roles = (Role.STUDENT,)


class IsSupervisor(HasRole):
    roles = (Role.SUPERVISOR,)
