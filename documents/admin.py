"""Certificates (revocation with a reason) and PDF exports (progress page, download), plus the
actions the cohort and student admins offer."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import Role
from backend.dates import moment
from backend.errors import DomainError
from documents.api.views import pdf_response
from documents.exports import export_start
from documents.models import Certificate, ExportJob, ExportKind, ExportStatus
from documents.services import (
    certificate_issue,
    certificate_revoke,
    certificates_in_order,
    certificates_pdf,
    cohort_certificates,
    renders_in_request,
    roster_pdf,
)
from enrollment import admin as enrollment_admin
from enrollment.models import Cohort, Student


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="Kept with the certificate.")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("code", "student", "completed_on", "issued_at", "revoked_at")
    list_filter = ("student__cohort__program",)
    list_select_related = ("student__user",)
    search_fields = ("code", "student__user__email", "student__user__last_name")
    fields = (
        "student",
        "code",
        "completed_on",
        "issued_at",
        "issued_by",
        "revocation",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Certificate | None = None) -> bool:
        return False

    @admin.display(description="Revocation")
    def revocation(self, certificate: Certificate) -> str:
        if certificate.is_revoked:
            return format_html(
                'Revoked {} by {}: {} · <a href="{}">Issue a new certificate…</a>',
                moment(certificate.revoked_at),
                certificate.revoked_by,
                certificate.revoke_reason,
                reverse("admin:documents_certificate_reissue", args=[certificate.pk]),
            )
        url = reverse("admin:documents_certificate_revoke", args=[certificate.pk])
        return format_html('Valid · <a href="{}">Revoke…</a>', url)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.revoke_view)
        reissue = self.admin_site.admin_view(self.reissue_view)
        return [
            path("<int:pk>/revoke/", view, name="documents_certificate_revoke"),
            path("<int:pk>/reissue/", reissue, name="documents_certificate_reissue"),
            *super().get_urls(),
        ]

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        certificate = get_object_or_404(Certificate.objects.select_related("student__user"), pk=pk)
        if not self.has_change_permission(request, certificate):
            return redirect("admin:index")
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                certificate_revoke(
                    certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"{certificate} is revoked.", messages.SUCCESS)
                return redirect("admin:documents_certificate_change", certificate.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": f"Revoke {certificate}",
        }
        return render(request, "admin/documents/certificate_revoke.html", context)

    def reissue_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """After a revocation: confirm, then issue the student a new certificate with a new code."""
        certificate = get_object_or_404(Certificate.objects.select_related("student__user"), pk=pk)
        if not self.has_change_permission(request, certificate):
            return redirect("admin:index")
        if request.method == "POST":
            try:
                new = certificate_issue(student=certificate.student, by=request.user, anew=True)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect("admin:documents_certificate_change", certificate.pk)
            self.message_user(request, f"{new} is issued.", messages.SUCCESS)
            return redirect("admin:documents_certificate_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "certificate": certificate,
            "title": f"Issue a new certificate to {certificate.student}",
        }
        return render(request, "admin/documents/certificate_reissue.html", context)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Exports are looked at, never edited. The file is stored outside any public address (no
    MEDIA_URL), so every link to it goes through `download_view`, for admins only."""

    list_display = ("cohort", "kind", "state", "progress", "download", "created_at", "finished_at")
    list_filter = ("kind", "status")
    list_select_related = ("cohort__program",)
    # `file` itself is left out: the admin would link its storage path, which nothing serves.
    fields = (
        "cohort",
        "kind",
        "state",
        "progress",
        "download",
        "problem",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExportJob | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: ExportJob | None = None) -> bool:
        # Rosters and certificates are every student's record: admins only, like the API.
        return request.user.has_role(Role.ADMIN) and super().has_view_permission(request, obj)

    @admin.display(description="Status", ordering="status")
    def state(self, job: ExportJob) -> str:
        # A job whose worker died reads as failed before the periodic job records it.
        return job.current_status

    @admin.display(description="Error")
    def problem(self, job: ExportJob) -> str:
        return job.current_error

    @admin.display(description="Progress")
    def progress(self, job: ExportJob) -> str:
        url = reverse("admin:documents_exportjob_progress", args=[job.pk])
        return format_html('<a href="{}">{}%</a>', url, job.percent)

    @admin.display(description="File")
    def download(self, job: ExportJob) -> str:
        if job.current_status != ExportStatus.READY:
            return "none (failed)" if job.current_status == ExportStatus.FAILED else "not ready yet"
        url = reverse("admin:documents_exportjob_download", args=[job.pk])
        return format_html('<a href="{}">Download {}</a>', url, job.filename)

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="documents_exportjob_progress",
            ),
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="documents_exportjob_download",
            ),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A progress bar: refreshed by a small poll of the API, or by the page itself without
        JavaScript, until the download is ready."""
        job = get_object_or_404(ExportJob.objects.select_related("cohort__program"), pk=pk)
        if not self.has_view_permission(request, job):
            return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "job": job,
            "finished": job.current_status in (ExportStatus.READY, ExportStatus.FAILED),
            "status_url": reverse("export-detail", args=[job.pk]),
            "download_url": reverse("admin:documents_exportjob_download", args=[job.pk]),
            "title": f"{job.get_kind_display()} of {job.cohort}",
        }
        return render(request, "admin/documents/exportjob_progress.html", context)

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(ExportJob, pk=pk)
        if not self.has_view_permission(request, job) or job.status != ExportStatus.READY:
            return redirect("admin:documents_exportjob_progress", job.pk)
        try:
            pdf = job.file.open("rb")
        except FileNotFoundError:
            self.message_user(
                request,
                "The file of this export is gone from storage; start the export again.",
                messages.ERROR,
            )
            return redirect("admin:documents_exportjob_progress", job.pk)
        return FileResponse(
            pdf, content_type="application/pdf", filename=job.filename, as_attachment=True
        )


def _export(
    modeladmin: admin.ModelAdmin, request: HttpRequest, cohorts: QuerySet[Cohort], kind: str
) -> HttpResponse | None:
    """One small cohort renders at once; otherwise each cohort's export goes to the background
    and the admin watches its progress."""
    cohorts = list(cohorts.select_related("program"))
    if len(cohorts) == 1 and renders_in_request(cohorts[0]):
        cohort = cohorts[0]
        try:
            if kind == ExportKind.ROSTER:
                return pdf_response(roster_pdf(cohort), f"roster-{cohort.pk}.pdf")
            certificates = cohort_certificates(cohort, request.user)
            if certificates:
                return pdf_response(certificates_pdf(certificates), f"certificates-{cohort.pk}.pdf")
        except DomainError as exc:
            modeladmin.message_user(request, f"{cohort}: {exc.message}", messages.ERROR)
            return None
        modeladmin.message_user(
            request, f"{cohort}: no graduate has a certificate.", messages.ERROR
        )
        return None
    jobs = []
    for cohort in cohorts:
        try:
            jobs.append(export_start(kind=kind, cohort=cohort, by=request.user))
        except DomainError as exc:
            modeladmin.message_user(request, f"{cohort}: {exc.message}", messages.ERROR)
    if len(jobs) == 1:
        return redirect("admin:documents_exportjob_progress", jobs[0].pk)
    if jobs:
        modeladmin.message_user(request, f"{len(jobs)} exports started.", messages.SUCCESS)
        return redirect("admin:documents_exportjob_changelist")
    return None


@admin.action(description="Roster PDF of the selected cohorts")
def export_roster(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Cohort]
) -> HttpResponse | None:
    return _export(modeladmin, request, queryset, ExportKind.ROSTER)


@admin.action(description="Certificates of the selected cohorts' graduates, as one PDF")
def export_certificates(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Cohort]
) -> HttpResponse | None:
    return _export(modeladmin, request, queryset, ExportKind.CERTIFICATES)


@admin.action(description="Certificates of the selected students, as one PDF")
def student_certificates(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Student]
) -> HttpResponse | None:
    """Issues what is missing; students who have not graduated (or whose certificate was
    revoked) are named and left out."""
    issued = []
    for student in queryset.select_related("user"):
        try:
            issued.append(certificate_issue(student=student, by=request.user))
        except DomainError as exc:
            modeladmin.message_user(request, f"{student}: {exc.message}", messages.WARNING)
    if not issued:
        return None
    certificates = certificates_in_order([c.pk for c in issued])
    return pdf_response(certificates_pdf(certificates), "certificates.pdf")


# The cohort admin is enrollment's; documents adds its PDF actions from its own side (the app
# loads after enrollment, whose admin registered Cohort first).
class CohortWithPdfsAdmin(enrollment_admin.CohortAdmin):
    actions = [export_roster, export_certificates]


admin.site.unregister(Cohort)
admin.site.register(Cohort, CohortWithPdfsAdmin)
