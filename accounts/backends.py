from django.contrib.auth.backends import ModelBackend
from django.db.models import Model
from django.http import HttpRequest

from accounts import failed_sign_ins
from accounts.models import Role, User
from backend.errors import TooManyFailedSignIns


class RoleBackend(ModelBackend):
    """Email-and-password sign-in; the admin role (the program director) holds every permission.

    Every sign-in (the API token, /login/, the admin's) comes through here, so this is where an
    account that had too many wrong passwords in a row waits, whatever the address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> User | None:
        if username is None:
            username = kwargs.pop(User.USERNAME_FIELD, None)  # authenticate(email=...)
        if username is None or password is None:
            return None
        if wait := failed_sign_ins.wait_for(username):
            raise TooManyFailedSignIns(wait)  # before the password is even hashed
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            failed_sign_ins.record_failure(username)
        else:
            failed_sign_ins.forget(username)
        return user

    def has_perm(self, user_obj: object, perm: str, obj: Model | None = None) -> bool:
        if getattr(user_obj, "is_active", False) and user_obj.has_role(Role.ADMIN):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: object, app_label: str) -> bool:
        if getattr(user_obj, "is_active", False) and user_obj.has_role(Role.ADMIN):
            return True
        return super().has_module_perms(user_obj, app_label)
