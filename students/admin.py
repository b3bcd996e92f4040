"""The student in the admin: their record with periods, leaves and stage history, coach
reassignment, graduation and certificates. Enrollment's own records (programs, cohorts,
applications, consent) stay in enrollment.admin."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import users_with_role
from backend.admin import AuditedAdmin, ReadOnly
from backend.errors import DomainError
from documents.admin import student_certificates
from enrollment.models import (
    ENROLLED_STAGES,
    EnrollmentPeriod,
    LeaveOfAbsence,
    Student,
    StudentEvent,
)
from students.services import student_graduate


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple:
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PeriodInline(ReadOnlyInline):
    model = EnrollmentPeriod
    fields = ("cohort", "started_on", "ended_on", "end_reason", "reentry_after")


class LeaveInline(ReadOnlyInline):
    model = LeaveOfAbsence
    fields = ("starts_on", "expected_return_on", "returned_on", "reason", "recorded_by")


class StudentEventInline(ReadOnlyInline):
    model = StudentEvent
    fields = ("at", "from_stage", "to_stage", "actor", "reason")


class ViewOnlyAdmin(ReadOnly, AuditedAdmin):
    """Written only by the student services; listed here so that each record's history opens."""


@admin.register(EnrollmentPeriod)
class EnrollmentPeriodAdmin(ViewOnlyAdmin):
    list_display = ("student", "cohort", "started_on", "ended_on", "end_reason", "reentry_after")
    list_filter = ("end_reason", "cohort__program")
    list_select_related = ("student__user", "cohort__program")
    search_fields = ("student__user__email", "student__user__last_name")


@admin.register(LeaveOfAbsence)
class LeaveOfAbsenceAdmin(ViewOnlyAdmin):
    list_display = ("student", "starts_on", "expected_return_on", "returned_on", "reason")
    list_select_related = ("student__user",)
    search_fields = ("student__user__email", "student__user__last_name")


@admin.register(Student)
class StudentAdmin(AuditedAdmin):
    """Students are made by accepting an offer; their stage changes through the services (the
    API's graduate / withdraw / leave / reenter, or the action here), so each keeps its history."""

    list_display = ("__str__", "cohort", "coach", "stage", "enrolled_at")
    list_filter = ("stage", "cohort__program", "cohort")
    list_select_related = ("user", "cohort__program", "coach")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    fields = ("user", "application", "cohort", "coach", "requirement_set", "stage", "enrolled_at")
    readonly_fields = ("user", "application", "cohort", "requirement_set", "stage", "enrolled_at")
    inlines = [PeriodInline, LeaveInline, StudentEventInline]
    actions = ["graduate_today", student_certificates]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Student | None = None) -> bool:
        return False

    def formfield_for_foreignkey(
        self, db_field: object, request: HttpRequest, **kwargs: object
    ) -> forms.Field:
        """Reassigning a coach shows each coach's current caseload size beside their name."""
        if db_field.name == "coach":
            coaches = users_with_role(Role.COACH).annotate(
                load=Count("caseload", filter=Q(caseload__stage__in=ENROLLED_STAGES))
            )
            field = forms.ModelChoiceField(coaches, required=False)
            field.label_from_instance = lambda coach: f"{coach} ({coach.load} active students)"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Graduate the selected students today (requirements must be met)")
    def graduate_today(self, request: HttpRequest, queryset: QuerySet[Student]) -> None:
        today = timezone.localdate()
        for student in queryset.select_related("requirement_set"):
            try:
                student_graduate(student=student, on=today, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{student}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{student} graduated.", messages.SUCCESS)
