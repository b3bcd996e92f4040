from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.admin import AuditedAdmin, ReadOnly
from backend.errors import DomainError
from externships.models import (
    ComplianceDocument,
    Externship,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureLog,
    Requirement,
    RequirementSet,
    Site,
)
from externships.services import externship_create, logs_bulk_approve

STUDENT_SEARCH = (
    "externship__student__user__email",
    "externship__student__user__first_name",
    "externship__student__user__last_name",
)


class RequirementInline(admin.TabularInline):
    model = Requirement
    fields = ("position", "kind", "label", "params")
    extra = 0


@admin.register(RequirementSet)
class RequirementSetAdmin(admin.ModelAdmin):
    list_display = ("program", "edition", "is_current", "created_at")
    list_filter = ("program", "is_current")
    search_fields = ("edition", "source")
    inlines = [RequirementInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "capacity", "agreement_valid_until")
    list_filter = ("kind", "programs")
    search_fields = ("name", "address")
    filter_horizontal = ("supervisors", "programs")


@admin.register(ComplianceDocument)
class ComplianceDocumentAdmin(AuditedAdmin):
    list_display = ("student", "kind", "received_on", "expires_on", "verified_by", "reminded_at")
    list_filter = ("kind", "student__cohort__program")
    search_fields = (
        "student__user__email",
        "student__user__first_name",
        "student__user__last_name",
    )
    date_hierarchy = "expires_on"
    raw_id_fields = ("student", "verified_by")
    list_select_related = ("student__user", "verified_by")


class ExternshipAddForm(forms.ModelForm):
    """A new placement goes through `externship_create`, which checks the documents, the
    affiliation agreement, the site's capacity and the supervisor; its refusal is shown on the
    field it names."""

    class Meta:
        model = Externship
        fields = ("student", "site", "supervisor", "starts_on", "ends_on")

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = externship_create(
                student=data["student"],
                site=data["site"],
                supervisor=data["supervisor"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            raise forms.ValidationError({field: exc.message} if field else exc.message) from None
        return data


@admin.register(Externship)
class ExternshipAdmin(AuditedAdmin):
    list_display = ("student", "site", "supervisor", "starts_on", "ends_on", "status")
    list_filter = ("status", "site__kind", "site", "student__cohort__program")
    search_fields = (
        "student__user__email",
        "student__user__first_name",
        "student__user__last_name",
        "site__name",
    )
    date_hierarchy = "starts_on"
    raw_id_fields = ("student", "supervisor")
    list_select_related = ("student__user", "site", "supervisor")

    def get_form(
        self, request: HttpRequest, obj: Externship | None = None, **kwargs: object
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = ExternshipAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Externship | None = None
    ) -> tuple[str, ...]:
        # Once placed, only the status changes here; a new placement is a new externship.
        return ("student", "site", "supervisor", "starts_on", "ends_on") if obj else ()

    def save_model(
        self, request: HttpRequest, externship: Externship, form: object, change: bool
    ) -> None:
        if change:
            super().save_model(request, externship, form, change)
        # A new one was saved by externship_create when the form was validated.


class DecisionInline(admin.TabularInline):
    model = LogDecision
    fields = ("at", "decision", "reason", "decided_by", "via")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class HourDecisionInline(DecisionInline):
    fk_name = "hour_log"


class ProcedureDecisionInline(DecisionInline):
    fk_name = "procedure_log"


class ClinicalLogAdmin(AuditedAdmin):
    """Logs are written by students and decided by supervisors through the services: here they
    are read, annotated (notes) while still open, and approved in bulk. Approved logs are frozen
    and no log is ever deleted."""

    list_filter = ("status", "externship__site", "externship__student__cohort__program")
    search_fields = (*STUDENT_SEARCH, "notes")
    date_hierarchy = "date"
    list_select_related = ("externship__student__user", "externship__site")
    actions = ["approve_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        fields = [f.name for f in self.model._meta.fields]
        if obj is not None and obj.status != LogStatus.APPROVED:
            fields.remove("notes")
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # An approved log opens to read only: saving it, even unchanged, would be refused.
        if obj is not None and obj.status == LogStatus.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(ordering="externship__student__user__last_name")
    def student(self, log: HourLog | ProcedureLog) -> str:
        return str(log.externship.student)

    @admin.display(ordering="externship__site__name")
    def site(self, log: HourLog | ProcedureLog) -> str:
        return str(log.externship.site)

    @admin.action(description="Approve the selected logs (all or none)")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            approved = logs_bulk_approve(
                model=self.model, ids=list(queryset.values_list("pk", flat=True)), by=request.user
            )
        except DomainError as exc:
            self.message_user(request, f"Nothing approved: {exc.message}", messages.ERROR)
        else:
            self.message_user(request, f"{len(approved)} log(s) approved.", messages.SUCCESS)


@admin.register(HourLog)
class HourLogAdmin(ClinicalLogAdmin):
    list_display = ("date", "student", "site", "start_time", "end_time", "hours", "status")
    search_fields = (*ClinicalLogAdmin.search_fields, "activities")
    inlines = [HourDecisionInline]

    @admin.display(ordering="minutes")
    def hours(self, log: HourLog) -> str:
        return f"{log.minutes / 60:.2f}".rstrip("0").rstrip(".")


@admin.register(ProcedureLog)
class ProcedureLogAdmin(ClinicalLogAdmin):
    list_display = (
        "date",
        "student",
        "site",
        "kind",
        "count",
        "successful",
        "specialty",
        "role",
        "competency",
        "status",
    )
    list_filter = ("status", "kind", "role", "successful", *ClinicalLogAdmin.list_filter[1:])
    search_fields = (*ClinicalLogAdmin.search_fields, "specialty", "competency")
    inlines = [ProcedureDecisionInline]


@admin.register(LogDecision)
class LogDecisionAdmin(ReadOnly, admin.ModelAdmin):
    """The record of every decision: never added, changed or deleted here."""

    list_display = ("at", "decision", "decided_by", "via", "hour_log", "procedure_log")
    list_filter = ("decision", "via")
    search_fields = ("decided_by__email", "reason")
    date_hierarchy = "at"
    list_select_related = ("decided_by", "hour_log", "procedure_log")
