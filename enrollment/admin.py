from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import Role
from accounts.selectors import users_with_role
from backend.admin import AuditedAdmin
from backend.errors import DomainError
from enrollment.cohorts import capacity_in_words
from enrollment.models import (
    Application,
    ApplicationEvent,
    Cohort,
    ConsentRecord,
    Program,
)
from enrollment.selectors import cohorts_with_counts, cohorts_with_free_seats_and_a_waitlist
from enrollment.services import (
    Actor,
    capacity_change_preview,
    cohort_set_capacity,
    settle_cohort,
)


class ProgramForm(forms.ModelForm):
    """The program, with its tuition typed in dollars and kept in cents like all money."""

    tuition = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        label="Tuition (US dollars)",
        help_text="For example 3400 or 3400.50. Left blank, the page shows no tuition.",
    )

    class Meta:
        model = Program
        fields = (  # every field but tuition_cents, which `tuition` sets
            "name",
            "slug",
            "track",
            "is_active",
            "description",
            "length",
            "duration_weeks",
            "schedule",
            "delivery",
            "credential",
            "clinical_requirement",
            "tuition_includes",
            "fees",
            "payment_options",
            "requirements_to_apply",
            "waitlist_only",
            "few_left_at",
            "offer_hold_hours",
        )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.tuition_cents is not None:
            self.initial["tuition"] = Decimal(self.instance.tuition_cents) / 100

    def clean(self) -> dict:
        data = super().clean()
        tuition = data.get("tuition")
        self.instance.tuition_cents = None if tuition is None else int(tuition * 100)
        return data


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramForm
    fieldsets = (
        (None, {"fields": ("name", "slug", "track", "is_active")}),
        (
            "What applicants read on the program's page (each shown only when set)",
            {
                "fields": (
                    "description",
                    "length",
                    "duration_weeks",
                    "schedule",
                    "delivery",
                    "credential",
                    "clinical_requirement",
                    "tuition",
                    "tuition_includes",
                    "fees",
                    "payment_options",
                    "requirements_to_apply",
                )
            },
        ),
        ("Seats and offers", {"fields": ("waitlist_only", "few_left_at", "offer_hold_hours")}),
    )
    list_display = (
        "name",
        "slug",
        "track",
        "duration_weeks",
        "credential",
        "offer_hold_hours",
        "waitlist_only",
        "is_active",
    )
    list_filter = ("track", "waitlist_only", "is_active")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(
        self, request: HttpRequest, program: Program, form: object, change: bool
    ) -> None:
        super().save_model(request, program, form, change)
        # Leaving waitlist-only offers the free seats to the waitlist now, not at the next job.
        for cohort in cohorts_with_free_seats_and_a_waitlist().filter(program=program):
            settle_cohort(cohort.pk)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(min_value=0)


@admin.register(Cohort)
class CohortAdmin(AuditedAdmin):
    list_display = (
        "__str__",
        "starts_on",
        "enrollment_cutoff",
        "capacity",
        "enrolled",
        "offered",
        "waitlisted",
        "seats_left",
    )
    list_filter = ("program",)
    date_hierarchy = "starts_on"
    filter_horizontal = ("coaches",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        return cohorts_with_counts(super().get_queryset(request))

    def formfield_for_manytomany(
        self, db_field: object, request: HttpRequest, **kwargs: object
    ) -> forms.Field:
        """The cohort's coaches are picked among active coaches only: new students are given
        the least-loaded of them."""
        if db_field.name == "coaches":
            kwargs["queryset"] = users_with_role(Role.COACH)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Cohort | None = None
    ) -> tuple[str, ...]:
        # Capacity changes go through the capacity view, which previews the offers they send.
        return ("capacity_link",) if obj else ()

    def get_fields(self, request: HttpRequest, obj: Cohort | None = None) -> list[str]:
        fields = [
            "program",
            "name",
            "starts_on",
            "ends_on",
            "capacity",
            "enrollment_cutoff",
            "coaches",
        ]
        if obj:
            fields[fields.index("capacity")] = "capacity_link"
        return fields

    @admin.display(description="Capacity")
    def capacity_link(self, cohort: Cohort) -> str:
        url = reverse("admin:enrollment_cohort_capacity", args=[cohort.pk])
        return format_html('{} seats · <a href="{}">Change capacity</a>', cohort.capacity, url)

    @admin.display(ordering="enrolled_count")
    def enrolled(self, cohort: Cohort) -> int:
        return cohort.enrolled_count

    @admin.display(ordering="offered_count")
    def offered(self, cohort: Cohort) -> int:
        return cohort.offered_count

    @admin.display(ordering="waitlisted_count")
    def waitlisted(self, cohort: Cohort) -> int:
        return cohort.waitlisted_count

    @admin.display(ordering="seats_left", description="Seats left")
    def seats_left(self, cohort: Cohort) -> int:
        return cohort.seats_left

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.capacity_view)
        return [
            path("<int:pk>/capacity/", view, name="enrollment_cohort_capacity"),
            *super().get_urls(),
        ]

    def capacity_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Step 1 previews how many offers the new capacity sends; step 2 saves it."""
        cohort = get_object_or_404(cohorts_with_counts(), pk=pk)
        if not self.has_change_permission(request, cohort):
            return redirect("admin:index")
        form = CapacityForm(request.POST or None, initial={"capacity": cohort.capacity})
        preview = None
        if request.method == "POST" and form.is_valid():
            capacity = form.cleaned_data["capacity"]
            # Save only the very number whose effect was shown; a changed number is previewed again.
            if request.POST.get("previewed") == str(capacity):
                try:
                    offers = cohort_set_capacity(
                        cohort=cohort, capacity=capacity, actor=Actor.of(request.user)
                    )
                except DomainError as exc:
                    form.add_error("capacity", exc.message)
                else:
                    self.message_user(
                        request,
                        f"Capacity is now {capacity}; {len(offers)} offer(s) sent.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:enrollment_cohort_change", cohort.pk)
            else:
                try:
                    preview = capacity_change_preview(cohort=cohort, capacity=capacity)
                except DomainError as exc:
                    form.add_error("capacity", exc.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "cohort": cohort,
            "form": form,
            "preview": preview,
            "explained": capacity_in_words(cohort, preview) if preview else "",
            "title": f"Change capacity of {cohort}",
        }
        return render(request, "admin/enrollment/cohort_capacity.html", context)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    fields = ("at", "from_status", "to_status", "actor_label", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    fields = ("channel", "address", "granted", "disclosure_version", "at", "ip_address")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    """Read-only: status changes go through the services (and the applicant's status page)."""

    list_display = ("full_name", "email", "cohort", "status", "submitted_at", "offer_expires_at")
    list_filter = ("status", "cohort__program", "cohort", "education")
    search_fields = ("first_name", "last_name", "email", "phone")
    date_hierarchy = "submitted_at"
    list_select_related = ("cohort__program",)
    inlines = [ApplicationEventInline, ConsentInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Application | None = None
    ) -> list[str]:
        return [f.name for f in Application._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AuditedAdmin):
    list_display = ("address", "channel", "granted", "disclosure_version", "at")
    list_filter = ("channel", "granted", "disclosure_version")
    search_fields = ("address",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: ConsentRecord | None = None
    ) -> list[str]:
        return [f.name for f in ConsentRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ConsentRecord | None = None) -> bool:
        return False
