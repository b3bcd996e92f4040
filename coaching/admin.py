from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from coaching.calendar import event_changed
from coaching.models import CoachingSession


@admin.register(CoachingSession)
class CoachingSessionAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "student", "coach", "kind", "status")
    list_filter = ("kind", "status", "coach")
    list_select_related = ("student__user", "coach")
    search_fields = ("student__user__email", "student__user__last_name", "outcome")
    date_hierarchy = "starts_at"
    raw_id_fields = ("student",)
    readonly_fields = ("sequence", "changed_at")

    def save_model(
        self, request: HttpRequest, obj: CoachingSession, form: ModelForm, change: bool
    ) -> None:
        if change:  # calendar apps see a session moved here as they do one moved on the pages
            event_changed(obj, form.changed_data)
        super().save_model(request, obj, form, change)
