from django.urls import reverse
from rest_framework import serializers

from backend.api import StrictInput
from documents.models import ExportJob, ExportKind, ExportStatus
from enrollment.models import Cohort


class ExportRequestSerializer(StrictInput, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    cohort = serializers.PrimaryKeyRelatedField(queryset=Cohort.objects.all())


class ExportJobSerializer(serializers.ModelSerializer):
    """A background PDF export and its progress; `download_url` once it is ready. A job whose
    worker stopped giving signs of life reads as `failed` at once, with the reason in `error`."""

    status = serializers.ChoiceField(
        choices=ExportStatus.choices, source="current_status", read_only=True
    )
    error = serializers.CharField(source="current_error", read_only=True)
    percent = serializers.IntegerField(help_text="0 to 100.")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "cohort",
            "status",
            "done",
            "total",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.current_status != ExportStatus.READY:
            return None
        return reverse("export-download", args=[job.pk])
