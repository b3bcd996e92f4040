from django.contrib.auth.backends import ModelBackend
from django.db.models import Model

from accounts.models import Role


class RoleBackend(ModelBackend):
    """Email-and-password sign-in; the admin role (the program director) holds every permission."""

    def has_perm(self, user_obj: object, perm: str, obj: Model | None = None) -> bool:
        if getattr(user_obj, "is_active", False) and user_obj.has_role(Role.ADMIN):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: object, app_label: str) -> bool:
        if getattr(user_obj, "is_active", False) and user_obj.has_role(Role.ADMIN):
            return True
        return super().has_module_perms(user_obj, app_label)
