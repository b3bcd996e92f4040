"""Outcome reports over HTTP, for admins: the report as JSON or CSV, and the students behind any
figure. Both read `careers.reports`; the filters are the page's form."""

from typing import Any

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsAdmin
from backend.spreadsheets import CSV_CHARSET, csv_bytes, csv_download
from careers.report_forms import FigureFilterForm, OutcomeFilterForm
from careers.reports import FIGURES, figure_periods, outcome_report, report_table
from enrollment.models import EnrollmentPeriod


class CSVRenderer(BaseRenderer):
    """The report's table (`?format=csv`); an error body becomes one "field: message" line each."""

    media_type = "text/csv"
    format = "csv"
    charset = CSV_CHARSET

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, dict):
            rows = [
                [field, " ".join(map(str, errors)) if isinstance(errors, list) else errors]
                for field, errors in data.items()
            ]
        else:
            rows = data
        return csv_bytes(rows)


class RateSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.IntegerField(
        allow_null=True, help_text="Whole percent; null (n/a) when the denominator is 0."
    )
    below_benchmark = serializers.BooleanField()


class ProgramRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class CohortRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()


class TermsSerializer(serializers.Serializer):
    """ABHES terms: BE, NS, RE, EE, G, F, R, U, and graduates who sat and passed the exam."""

    be = serializers.IntegerField()
    ns = serializers.IntegerField()
    re = serializers.IntegerField()
    ee = serializers.IntegerField()
    g = serializers.IntegerField()
    f = serializers.IntegerField()
    r = serializers.IntegerField()
    u = serializers.IntegerField()
    sat = serializers.IntegerField()
    passed = serializers.IntegerField()


class OutcomeRowSerializer(serializers.Serializer):
    program = ProgramRefSerializer(allow_null=True)
    cohort = CohortRefSerializer(allow_null=True)
    terms = TermsSerializer()
    retention = RateSerializer()
    placement = RateSerializer()
    credential = RateSerializer()


class BenchmarksSerializer(serializers.Serializer):
    retention = serializers.IntegerField()
    placement = serializers.IntegerField()
    credential = serializers.IntegerField()


@extend_schema_serializer(many=False)  # the list action answers one report, not a page
class OutcomeReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    benchmarks = BenchmarksSerializer()
    rows = OutcomeRowSerializer(many=True, help_text="One per cohort.")
    totals = OutcomeRowSerializer(many=True, help_text="One per program.")
    overall = OutcomeRowSerializer()


class FigurePeriodSerializer(serializers.ModelSerializer):
    """A student counted in a figure, through the enrollment period that is counted."""

    student = serializers.IntegerField(source="student_id")
    name = serializers.CharField(source="student.user.__str__")
    email = serializers.EmailField(source="student.user.email")
    stage = serializers.CharField(source="student.stage")
    cohort = CohortRefSerializer()
    program = serializers.SlugField(source="cohort.program.slug")

    class Meta:
        model = EnrollmentPeriod
        fields = [
            "student",
            "name",
            "email",
            "stage",
            "cohort",
            "program",
            "started_on",
            "ended_on",
            "end_reason",
            "reentry_after",
        ]
        read_only_fields = fields


FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="2025 means 2025-07-01 to 2026-06-30"),
    OpenApiParameter("program", OpenApiTypes.STR, description="program slug"),
    OpenApiParameter("cohort", OpenApiTypes.INT, description="cohort id"),
]


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(
            {
                field: [error["message"] for error in errors]
                for field, errors in form.errors.get_json_data().items()
            }
        )
    return form.cleaned_data


class OutcomeReportViewSet(viewsets.GenericViewSet):
    """Retention, placement and credential pass rates by cohort and program (ABHES)."""

    permission_classes = [IsAdmin]
    renderer_classes = [JSONRenderer, CSVRenderer]
    filter_backends: list = []
    queryset = EnrollmentPeriod.objects.none()
    serializer_class = FigurePeriodSerializer

    @extend_schema(
        parameters=FILTERS,
        responses={
            (200, "application/json"): OutcomeReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The report's table."),
        },
    )
    def list(self, request: Request) -> Response:
        """The report for a reporting year; `?format=csv` gives one row per cohort, then the
        program totals and the overall total."""
        report = outcome_report(**_valid(OutcomeFilterForm(request.query_params)))
        if request.accepted_renderer.format == "csv":
            name = f"outcomes-{report.year}.csv"
            return Response(report_table(report), headers=csv_download(name))
        return Response(OutcomeReportSerializer(report).data)

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter("figure", OpenApiTypes.STR, required=True, enum=FIGURES),
        ],
        responses=FigurePeriodSerializer(many=True),
    )
    @action(detail=False, renderer_classes=[JSONRenderer])
    def students(self, request: Request) -> Response:
        """The students behind one figure (a term such as `g`, or e.g. `retention_numerator`)."""
        periods = figure_periods(**_valid(FigureFilterForm(request.query_params)))
        page = self.paginate_queryset(periods)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
