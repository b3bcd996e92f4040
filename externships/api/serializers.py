"""Input and output shapes of sites, externships and clinical logs; no rule lives here."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role, User
from backend.api import MAX_ID, StrictInput
from enrollment.models import Program, Student
from externships.models import (
    ComplianceDocument,
    DocumentKind,
    Externship,
    ExternshipStatus,
    HourLog,
    LogDecision,
    ProcedureKind,
    ProcedureLog,
    ScrubRole,
    Site,
)

HH_MM = ["%H:%M", "%H:%M:%S"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")

    class Meta:
        model = User
        fields = ["id", "name", "email"]


# -- sites -------------------------------------------------------------------------------------


class SiteSerializer(serializers.ModelSerializer):
    programs = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    supervisors = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "kind",
            "address",
            "capacity",
            "agreement_valid_until",
            "programs",
            "supervisors",
        ]


class SiteInputSerializer(StrictInput, serializers.ModelSerializer):
    programs = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Program.objects.all()
    )
    supervisors = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR),
        help_text="Ids of users holding the supervisor role.",
    )

    class Meta:
        model = Site
        fields = [
            "name",
            "kind",
            "address",
            "capacity",
            "agreement_valid_until",
            "programs",
            "supervisors",
        ]


# -- compliance documents ----------------------------------------------------------------------


class ComplianceDocumentSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.user.__str__")

    class Meta:
        model = ComplianceDocument
        fields = [
            "id",
            "student",
            "student_name",
            "kind",
            "received_on",
            "expires_on",
            "verified_by",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "expires_on": {"help_text": "Null when it never expires."},
            "verified_by": {"help_text": "The person who recorded it."},
        }


class ComplianceDocumentCreateSerializer(StrictInput, serializers.Serializer):
    # The dates are checked by the model's rules (ComplianceDocument.clean), in the service.
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    received_on = serializers.DateField()
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Omitted or null: never expires."
    )


# -- externships -------------------------------------------------------------------------------


class ExternshipSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.user.__str__")
    site_name = serializers.CharField(source="site.name")
    supervisor_name = serializers.CharField(source="supervisor.__str__")

    class Meta:
        model = Externship
        fields = [
            "id",
            "student",
            "student_name",
            "site",
            "site_name",
            "supervisor",
            "supervisor_name",
            "starts_on",
            "ends_on",
            "status",
        ]
        read_only_fields = fields


class ExternshipCreateSerializer(StrictInput, serializers.Serializer):
    # The service checks the program, the agreement, the supervisor, documents and capacity.
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.select_related("cohort__program")
    )
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    supervisor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class ExternshipUpdateSerializer(StrictInput, serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[ExternshipStatus.COMPLETED, ExternshipStatus.CANCELLED],
        help_text="Close a placement; logs need an active externship.",
    )


# -- clinical logs -----------------------------------------------------------------------------


class OwnedBy(serializers.PrimaryKeyRelatedField):
    """An id among the objects of the signed-in student; anyone else's is 'does not exist'."""

    def __init__(self, *, student_path: str, **kwargs: object) -> None:
        self.student_path = student_path
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        user = self.context["request"].user
        return super().get_queryset().filter(**{f"{self.student_path}__user": user})


class DecisionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="decided_by.__str__")

    class Meta:
        model = LogDecision
        fields = ["decision", "reason", "by", "via", "at"]


class ClinicalLogSerializer(serializers.ModelSerializer):
    student = serializers.IntegerField(source="externship.student_id")
    student_name = serializers.CharField(source="externship.student.user.__str__")
    decisions = DecisionSerializer(many=True)

    common_fields = [
        "id",
        "externship",
        "student",
        "student_name",
        "date",
        "notes",
        "status",
        "decision_reason",
        "submitted_at",
        "decided_at",
        "corrects",
        "decisions",
    ]


class HourLogSerializer(ClinicalLogSerializer):
    start_time = serializers.TimeField(format="%H:%M")
    end_time = serializers.TimeField(format="%H:%M")
    hours = serializers.SerializerMethodField()

    class Meta:
        model = HourLog
        fields = [
            *ClinicalLogSerializer.common_fields[:5],
            "start_time",
            "end_time",
            "ends_next_day",
            "break_minutes",
            "minutes",
            "hours",
            "activities",
            *ClinicalLogSerializer.common_fields[5:],
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField())
    def get_hours(self, log: HourLog) -> float:
        return round(log.minutes / 60, 2)


class ProcedureLogSerializer(ClinicalLogSerializer):
    class Meta:
        model = ProcedureLog
        fields = [
            *ClinicalLogSerializer.common_fields[:5],
            "kind",
            "count",
            "successful",
            "specialty",
            "role",
            "competency",
            *ClinicalLogSerializer.common_fields[5:],
        ]
        read_only_fields = fields


URGENT_HELP = (
    "Email the supervisor about this log now, with a link for it alone; otherwise it waits for "
    "their daily summary."
)


class HourLogCreateSerializer(StrictInput, serializers.Serializer):
    externship = OwnedBy(queryset=Externship.objects.all(), student_path="student")
    date = serializers.DateField(help_text="The day the shift started.")
    start_time = serializers.TimeField(input_formats=HH_MM, help_text="HH:MM")
    end_time = serializers.TimeField(input_formats=HH_MM, help_text="HH:MM")
    ends_next_day = serializers.BooleanField(
        default=False,
        help_text="An overnight shift: `end_time` is on the next day (22:00 to 06:00).",
    )
    break_minutes = serializers.IntegerField(min_value=0, max_value=8 * 60, default=0)
    activities = serializers.CharField(max_length=2000)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    corrects = OwnedBy(
        queryset=HourLog.objects.all(),
        student_path="externship__student",
        required=False,
        allow_null=True,
        default=None,
        help_text="The earlier log this one corrects.",
    )
    urgent = serializers.BooleanField(default=False, write_only=True, help_text=URGENT_HELP)


class ProcedureLogCreateSerializer(StrictInput, serializers.Serializer):
    externship = OwnedBy(queryset=Externship.objects.all(), student_path="student")
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=ProcedureKind.choices, help_text="One of the kinds the student's edition counts."
    )
    count = serializers.IntegerField(min_value=1, max_value=100, default=1)
    successful = serializers.BooleanField(default=True)
    specialty = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="Surgical cases."
    )
    role = serializers.ChoiceField(
        choices=ScrubRole.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Surgical cases.",
    )
    competency = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="Competency logs: an item of the student's checklist, as their edition names it.",
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    corrects = OwnedBy(
        queryset=ProcedureLog.objects.all(),
        student_path="externship__student",
        required=False,
        allow_null=True,
        default=None,
        help_text="The earlier log this one corrects.",
    )
    urgent = serializers.BooleanField(default=False, write_only=True, help_text=URGENT_HELP)


class ReasonSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ResubmitSerializer(StrictInput, serializers.Serializer):
    notes = serializers.CharField(
        max_length=2000, help_text="The information the supervisor asked for."
    )


class BulkApproveSerializer(StrictInput, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=200
    )
