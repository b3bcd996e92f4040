from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.models import User
from backend.admin import AuditedAdmin
from backend.errors import DomainError
from careers.exams import exam_attempt_create, exam_attempt_update
from careers.models import (
    Employer,
    ExamAttempt,
    JobApplication,
    JobPlacement,
    ReferencePay,
    Unavailability,
)
from careers.selectors import exam_readiness, exam_student
from careers.services import (
    employer_create,
    employer_from_site,
    employer_update,
    job_application_create,
    job_application_update,
    placement_create,
    placement_update,
    placements_verify,
    unavailability_record,
    unavailability_update,
)
from externships.admin import SiteAdmin
from externships.models import Site

STUDENT_SEARCH = ("student__user__email", "student__user__first_name", "student__user__last_name")


class ServiceForm(forms.ModelForm):
    """A form whose record is written by the careers service when it validates, so the admin
    keeps the API's rules; a refusal is shown on the field it names."""

    by: User  # the signed-in user, set by `ServiceAdmin.get_form`

    # Each form's own: create or update the record through its service, from the cleaned data.
    write: Callable[[dict], Model]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = self.write(data)
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            raise forms.ValidationError({field: exc.message} if field else exc.message) from None
        return data


class ServiceAdmin(admin.ModelAdmin):
    form: type[ServiceForm]

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, **kwargs: object
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, **kwargs)
        form.by = request.user  # a new form class per request, so this is this user's
        return form

    def save_model(self, request: HttpRequest, obj: Model, form: object, change: bool) -> None:
        """The service saved the record when the form was validated."""


# -- exam attempts -----------------------------------------------------------------------------


class ExamAttemptForm(ServiceForm):
    class Meta:
        model = ExamAttempt
        fields = ("student", "sat_on", "result", "scaled_score", "override_reason")

    def write(self, data: dict) -> ExamAttempt:
        if self.instance.pk:
            return exam_attempt_update(
                attempt=self.instance,
                sat_on=data["sat_on"],
                result=data["result"],
                scaled_score=data["scaled_score"],
                by=self.by,
            )
        return exam_attempt_create(by=self.by, **data)


@admin.register(ExamAttempt)
class ExamAttemptAdmin(AuditedAdmin, ServiceAdmin):
    """Attempts are numbered by the service; booking a student who is not exam-ready needs an
    override reason, shown with the reasons on the student field."""

    form = ExamAttemptForm
    list_display = ("student", "credential", "attempt_number", "sat_on", "result", "scaled_score")
    list_filter = ("result", "credential", "student__cohort__program")
    search_fields = (*STUDENT_SEARCH, "credential")
    date_hierarchy = "sat_on"
    raw_id_fields = ("student",)
    list_select_related = ("student__user",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: ExamAttempt | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return (
            "student",
            "credential",
            "attempt_number",
            "readiness",
            "override_reason",
            "recorded_by",
            "recorded_at",
        )

    @admin.display(description="Readiness on the exam date")
    def readiness(self, attempt: ExamAttempt) -> str:
        readiness = exam_readiness(exam_student(attempt.student_id), on=attempt.sat_on)
        return "Ready" if readiness.ready else "Not ready: " + " ".join(readiness.reasons)


# -- employers ---------------------------------------------------------------------------------


class EmployerForm(ServiceForm):
    class Meta:
        model = Employer
        fields = ("name", "address", "contact_name", "contact_email", "contact_phone")

    def write(self, data: dict) -> Employer:
        if self.instance.pk:
            return employer_update(employer=self.instance, **data)
        return employer_create(**data)


@admin.register(Employer)
class EmployerAdmin(ServiceAdmin):
    form = EmployerForm
    list_display = ("name", "address", "contact_name", "contact_email", "site")
    list_filter = (("site", admin.EmptyFieldListFilter),)
    search_fields = ("name", "address", "contact_name", "contact_email")
    readonly_fields = ("site",)
    list_select_related = ("site",)


# Sites are the externships app's; the careers app adds the one-step "make an employer".
admin.site.unregister(Site)


@admin.register(Site)
class SiteWithEmployerAdmin(SiteAdmin):
    actions = ["make_employers"]

    @admin.action(description="Make employers of the selected sites")
    def make_employers(self, request: HttpRequest, queryset: QuerySet[Site]) -> None:
        made = kept = 0
        for site in queryset:
            try:
                _, created = employer_from_site(site=site)
            except DomainError as exc:
                self.message_user(request, f"{site}: {exc.message}", messages.ERROR)
                continue
            made, kept = (made + 1, kept) if created else (made, kept + 1)
        self.message_user(
            request, f"{made} employer(s) made; {kept} site(s) already had one.", messages.SUCCESS
        )


# -- job applications --------------------------------------------------------------------------


class JobApplicationForm(ServiceForm):
    class Meta:
        model = JobApplication
        fields = ("student", "employer", "role", "status", "applied_on", "respond_by", "notes")

    def write(self, data: dict) -> JobApplication:
        if self.instance.pk:
            return job_application_update(application=self.instance, **data)
        return job_application_create(**data)


@admin.register(JobApplication)
class JobApplicationAdmin(AuditedAdmin, ServiceAdmin):
    form = JobApplicationForm
    list_display = ("student", "employer", "role", "status", "applied_on", "status_changed_on")
    list_filter = ("status", "student__cohort__program")
    search_fields = (*STUDENT_SEARCH, "employer__name", "role")
    date_hierarchy = "applied_on"
    raw_id_fields = ("student", "employer")
    readonly_fields = ("status_changed_on",)
    list_select_related = ("student__user", "employer")


# -- job placements ----------------------------------------------------------------------------


class JobPlacementForm(ServiceForm):
    class Meta:
        model = JobPlacement
        fields = (
            "student",
            "employer",
            "title",
            "classification",
            "employment",
            "hourly_wage_cents",
            "start_date",
            "verification_method",
            "evidence_note",
        )

    def write(self, data: dict) -> JobPlacement:
        if self.instance.pk:
            return placement_update(placement=self.instance, **data)
        return placement_create(by=self.by, **data)


@admin.register(JobPlacement)
class JobPlacementAdmin(AuditedAdmin, ServiceAdmin):
    """Changing a verified placement's facts clears its verification; verify with the action."""

    form = JobPlacementForm
    list_display = (
        "student",
        "title",
        "employer",
        "classification",
        "employment",
        "wage",
        "start_date",
        "verified_at",
    )
    list_filter = (
        "classification",
        "employment",
        "verification_method",
        ("verified_at", admin.EmptyFieldListFilter),
        "student__cohort__program",
    )
    search_fields = (*STUDENT_SEARCH, "employer__name", "title")
    date_hierarchy = "start_date"
    raw_id_fields = ("student", "employer")
    readonly_fields = ("verified_by", "verified_at", "recorded_by", "created_at")
    list_select_related = ("student__user", "employer")
    actions = ["verify_selected"]

    @admin.display(description="Hourly wage", ordering="hourly_wage_cents")
    def wage(self, placement: JobPlacement) -> str:
        return f"${placement.hourly_wage_cents / 100:,.2f}"

    @admin.action(description="Verify selected placements")
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[JobPlacement]) -> None:
        verified = placements_verify(
            ids=list(queryset.values_list("pk", flat=True)), by=request.user
        )
        self.message_user(
            request, f"{verified} placement(s) verified; the others already were.", messages.SUCCESS
        )


# -- unavailability and reference pay ----------------------------------------------------------


class UnavailabilityForm(ServiceForm):
    class Meta:
        model = Unavailability
        fields = ("student", "reason", "documented_on", "evidence_note")

    def write(self, data: dict) -> Unavailability:
        if self.instance.pk:
            return unavailability_update(record=self.instance, **data)
        return unavailability_record(by=self.by, **data)


@admin.register(Unavailability)
class UnavailabilityAdmin(AuditedAdmin, ServiceAdmin):
    """Only graduates, only the ABHES reasons, only with evidence (see careers.services)."""

    form = UnavailabilityForm
    list_display = ("student", "reason", "documented_on", "recorded_by")
    list_filter = ("reason", "student__cohort__program")
    search_fields = (*STUDENT_SEARCH, "evidence_note")
    date_hierarchy = "documented_on"
    raw_id_fields = ("student",)
    list_select_related = ("student__user", "recorded_by")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Unavailability | None = None
    ) -> tuple[str, ...]:
        return ("student", "recorded_by") if obj else ("recorded_by",)


@admin.register(ReferencePay)
class ReferencePayAdmin(admin.ModelAdmin):
    list_display = (
        "program",
        "year",
        "hourly_median_cents",
        "annual_median_cents",
        "annual_p10_cents",
        "annual_p90_cents",
        "source",
    )
    list_filter = ("program", "year")
    search_fields = ("program__name", "source")
    list_select_related = ("program",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
