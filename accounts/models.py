import zoneinfo
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from backend.audit import field_history


class Role(models.TextChoices):
    """The five kinds of people; each is a Django group of the same name."""

    APPLICANT = "applicant"
    STUDENT = "student"
    COACH = "coach"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone such as America/New_York.")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: email is the login; roles are groups."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = PhoneNumberField(blank=True, help_text="Stored in E.164, e.g. +15551234567.")
    # Empty when nobody told us: texts then follow the phone number's area code, else the school.
    time_zone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_time_zone]
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    # Who changed a name, a phone, a time zone, a login's state; never a password's hash.
    audit_trail = field_history(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        # A new password (`set_password` then `save`, on any path: the admin, a reset link, the
        # invitation to set one, `changepassword`) signs out every API client of the old one.
        # Here because every path ends here; `check_password`'s rehash after a Django upgrade
        # clears `_password` first, so it signs nobody out.
        new_password = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if new_password:
            ApiToken.objects.filter(user=self).delete()

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        # `all()`, so that a list of people with their groups prefetched asks nothing more.
        names = {group.name for group in self.groups.all()}
        if self.is_superuser:
            names.add(Role.ADMIN)
        return frozenset(names)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and not self.roles.isdisjoint(roles)

    @property
    def is_school_staff(self) -> bool:
        """Coaches and admins: the school's own people, who may read student records."""
        return self.has_role(Role.COACH, Role.ADMIN)


class ApiToken(models.Model):
    """An API client's sign-in (`Authorization: Token <key>`), one per `POST auth/token/`. Only a
    digest of the key is kept. It lapses after `API_TOKEN_IDLE_DAYS` without use, and goes at a
    password change or when its person signs out everywhere (accounts/tokens.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, in hex.")
    created_at = models.DateTimeField(default=timezone.now)
    # Recorded at most once an hour per token, so that a busy client does not write on every read.
    last_used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token of {self.user}, last used {self.last_used_at:%Y-%m-%d %H:%M}"
