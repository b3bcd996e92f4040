from django.contrib import admin

from coaching.models import CoachingSession


@admin.register(CoachingSession)
class CoachingSessionAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "student", "coach", "kind", "status")
    list_filter = ("kind", "status", "coach")
    list_select_related = ("student__user", "coach")
    search_fields = ("student__user__email", "student__user__last_name", "outcome")
    date_hierarchy = "starts_at"
    raw_id_fields = ("student",)
