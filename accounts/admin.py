from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from accounts.tokens import revoke_tokens
from backend.admin import AuditedAdmin


class ApiTokenInline(admin.TabularInline):
    """The person's API sign-ins; deleting one revokes it."""

    model = ApiToken
    fields = ("created_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("API tokens (last use recorded to the hour)")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "phone", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "time_zone")}),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ("sign_out_of_the_api",)

    def get_inlines(self, request: HttpRequest, obj: User | None) -> tuple:
        return (ApiTokenInline,) if obj is not None else ()

    @admin.action(description=_("Sign the selected people out of the API everywhere"))
    def sign_out_of_the_api(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        revoked = sum(revoke_tokens(user=user) for user in queryset)
        self.message_user(
            request,
            f"Revoked {revoked} API token{'s' if revoked != 1 else ''} of {queryset.count()} "
            f"{'person' if queryset.count() == 1 else 'people'}.",
            messages.SUCCESS,
        )
