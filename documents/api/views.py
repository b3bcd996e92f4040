"""PDFs over HTTP: a cohort's roster (admins), a student's certificate (the student, their
coach, admins), and background exports with their progress."""

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole, IsAdmin
from backend.api import JsonWhateverAccepted
from backend.errors import NotAllowed
from documents.api.serializers import ExportJobSerializer, ExportRequestSerializer
from documents.exports import export_start
from documents.models import ExportJob, ExportKind, ExportStatus
from documents.services import (
    certificate_issue,
    certificates_pdf,
    renders_in_request,
    roster_pdf,
)
from enrollment.models import Cohort
from externships.selectors import visible_students

PDF = OpenApiResponse(OpenApiTypes.BINARY, description="The PDF (application/pdf).")
CONFLICT = OpenApiResponse(description="Not allowed now; the body says why.")


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def export_accepted(job: ExportJob) -> Response:
    return Response(
        ExportJobSerializer(job).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": reverse("export-detail", args=[job.pk])},
    )


class PdfView(APIView):
    """A PDF answers `Accept: application/pdf` too, and any error (404, 409, ...) is JSON."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonWhateverAccepted


class RosterPdfView(PdfView):
    """The cohort roster. A cohort up to PDF_SYNC_MAX_STUDENTS students (default 100) answers with
    the PDF; a larger one starts a background export and answers 202 with its progress."""

    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="cohorts_roster_pdf",
        responses={(200, "application/pdf"): PDF, 202: ExportJobSerializer},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        cohort = get_object_or_404(Cohort.objects.select_related("program"), pk=pk)
        if not renders_in_request(cohort):
            return export_accepted(
                export_start(kind=ExportKind.ROSTER, cohort=cohort, by=request.user)
            )
        return pdf_response(roster_pdf(cohort), f"roster-{cohort.pk}.pdf")


class ReadsCertificate(HasRole):
    """The student (themself only, by the queryset), coaches (their caseload) and admins."""

    roles = (Role.STUDENT, Role.COACH, Role.ADMIN)


class CertificatePdfView(PdfView):
    """The student's certificate of completion, issued on first download once they graduated;
    409 before that, or after the certificate was revoked."""

    permission_classes = [ReadsCertificate]

    @extend_schema(
        operation_id="students_certificate_pdf",
        responses={(200, "application/pdf"): PDF, 409: CONFLICT},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        student = get_object_or_404(visible_students(request.user), pk=pk)
        certificate = certificate_issue(student=student, by=request.user)
        certificate.student = student  # with the user, program and edition already joined
        return pdf_response(certificates_pdf([certificate]), f"certificate-{student.pk}.pdf")


class ExportViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background exports of a cohort (admins): `roster` or `certificates` (one PDF, a page per
    graduate). Poll the job until `status` is `ready`, then follow `download_url`."""

    permission_classes = [IsAdmin]
    serializer_class = ExportJobSerializer

    def get_queryset(self) -> QuerySet[ExportJob]:
        return ExportJob.objects.all()

    @extend_schema(
        request=ExportRequestSerializer, responses={202: ExportJobSerializer, 409: CONFLICT}
    )
    def create(self, request: Request) -> Response:
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return export_accepted(export_start(by=request.user, **body.validated_data))

    @extend_schema(responses={(200, "application/pdf"): PDF, 409: CONFLICT})
    @action(detail=True)
    def download(self, request: Request, pk: str) -> FileResponse:
        job = self.get_object()
        if job.current_status == ExportStatus.FAILED:
            raise NotAllowed(f"The export failed: {job.current_error}")
        if job.status != ExportStatus.READY:
            raise NotAllowed(f"The export is {job.status} ({job.percent}%); it is not ready yet.")
        return FileResponse(
            job.file.open("rb"),
            content_type="application/pdf",
            filename=job.filename,
            as_attachment=True,
        )
