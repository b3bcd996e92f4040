"""Input and output shapes of exam attempts, employers, job applications, placements and
unavailability; no rule lives here."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api import StrictInput
from careers.models import (
    Classification,
    Employer,
    Employment,
    ExamAttempt,
    ExamResult,
    JobApplication,
    JobApplicationStatus,
    JobPlacement,
    ReferencePay,
    Unavailability,
    UnavailableReason,
    Verification,
)
from careers.selectors import latest_reference_pay, wage_vs_median
from careers.services import MAX_HOURLY_WAGE_CENTS
from enrollment.models import Student
from externships.models import Site
from externships.selectors import visible_students


@extend_schema_field(OpenApiTypes.INT)
class VisibleStudent(serializers.PrimaryKeyRelatedField):
    """A student id among those the signed-in user may see; anyone else's does not exist."""

    def get_queryset(self) -> QuerySet[Student]:
        return visible_students(self.context["request"].user)


def student_field(**kwargs: object) -> VisibleStudent:
    return VisibleStudent(
        required=False,
        help_text="The student's id; a student leaves it out and means themself.",
        **kwargs,
    )


class StudentNamed(serializers.ModelSerializer):
    """The fields every careers record shows about its student."""

    student_name = serializers.CharField(source="student.user.__str__", read_only=True)


# -- exam attempts -----------------------------------------------------------------------------


class ExamAttemptSerializer(StudentNamed):
    recorded_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ExamAttempt
        fields = [
            "id",
            "student",
            "student_name",
            "credential",
            "attempt_number",
            "sat_on",
            "result",
            "scaled_score",
            "override_reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ExamAttemptCreateSerializer(StrictInput, serializers.Serializer):
    student = student_field()
    sat_on = serializers.DateField(help_text="The exam date.")
    result = serializers.ChoiceField(choices=ExamResult.choices, default=ExamResult.SCHEDULED)
    scaled_score = serializers.IntegerField(
        min_value=0, max_value=999, required=False, allow_null=True, default=None
    )
    override_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Staff only: why the exam is booked although the student is not exam-ready.",
    )


class ExamAttemptUpdateSerializer(StrictInput, serializers.Serializer):
    sat_on = serializers.DateField(required=False)
    result = serializers.ChoiceField(choices=ExamResult.choices, required=False)
    scaled_score = serializers.IntegerField(
        min_value=0, max_value=999, required=False, allow_null=True
    )


class ReadinessQuerySerializer(serializers.Serializer):
    student = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="The student's id; a student leaves it out and means themself.",
    )
    on = serializers.DateField(required=False, help_text="The exam date; today by default.")


class ReadinessSerializer(serializers.Serializer):
    student = serializers.IntegerField(source="student.pk")
    on = serializers.DateField()
    ready = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why the student is not ready, in words."
    )


# -- employers ---------------------------------------------------------------------------------


class EmployerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employer
        fields = ["id", "name", "address", "contact_name", "contact_email", "contact_phone", "site"]
        read_only_fields = fields


class EmployerInputSerializer(StrictInput, serializers.Serializer):
    name = serializers.CharField(max_length=150)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)


class FromSiteSerializer(StrictInput, serializers.Serializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())


# -- job applications --------------------------------------------------------------------------


class JobApplicationSerializer(StudentNamed):
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = JobApplication
        fields = [
            "id",
            "student",
            "student_name",
            "employer",
            "employer_name",
            "role",
            "status",
            "applied_on",
            "status_changed_on",
            "respond_by",
            "notes",
        ]
        read_only_fields = fields


class JobApplicationUpdateSerializer(StrictInput, serializers.Serializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all(), required=False)
    role = serializers.CharField(max_length=150, required=False)
    status = serializers.ChoiceField(choices=JobApplicationStatus.choices, required=False)
    applied_on = serializers.DateField(required=False)
    respond_by = serializers.DateField(
        required=False, allow_null=True, help_text="For an offer: the day to answer by."
    )
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class JobApplicationCreateSerializer(JobApplicationUpdateSerializer):
    student = student_field()
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all())
    role = serializers.CharField(max_length=150)
    status = serializers.ChoiceField(
        choices=JobApplicationStatus.choices, default=JobApplicationStatus.APPLIED
    )
    applied_on = serializers.DateField()


# -- job placements ----------------------------------------------------------------------------


class ReferencePaySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferencePay
        fields = [
            "year",
            "hourly_median_cents",
            "annual_median_cents",
            "annual_p10_cents",
            "annual_p90_cents",
            "source",
            "source_url",
        ]
        read_only_fields = fields


class JobPlacementSerializer(StudentNamed):
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    verified_by = serializers.StringRelatedField(allow_null=True)
    recorded_by = serializers.StringRelatedField(allow_null=True)
    reference_pay = serializers.SerializerMethodField(
        help_text="The program's latest published pay for the occupation, or null."
    )
    wage_vs_median_percent = serializers.SerializerMethodField(
        help_text="The hourly wage as a percent of the reference hourly median (100 = median)."
    )

    class Meta:
        model = JobPlacement
        fields = [
            "id",
            "student",
            "student_name",
            "employer",
            "employer_name",
            "title",
            "classification",
            "employment",
            "hourly_wage_cents",
            "start_date",
            "verification_method",
            "evidence_note",
            "verified_by",
            "verified_at",
            "recorded_by",
            "created_at",
            "reference_pay",
            "wage_vs_median_percent",
        ]
        read_only_fields = fields

    @extend_schema_field(ReferencePaySerializer(allow_null=True))
    def get_reference_pay(self, placement: JobPlacement) -> dict | None:
        reference = latest_reference_pay(placement)
        return ReferencePaySerializer(reference).data if reference else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_wage_vs_median_percent(self, placement: JobPlacement) -> int | None:
        return wage_vs_median(placement, latest_reference_pay(placement))


class JobPlacementUpdateSerializer(StrictInput, serializers.Serializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all(), required=False)
    title = serializers.CharField(max_length=150, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    employment = serializers.ChoiceField(choices=Employment.choices, required=False)
    hourly_wage_cents = serializers.IntegerField(
        min_value=1, max_value=MAX_HOURLY_WAGE_CENTS, required=False, help_text="Cents an hour."
    )
    start_date = serializers.DateField(required=False)
    verification_method = serializers.ChoiceField(choices=Verification.choices, required=False)
    evidence_note = serializers.CharField(max_length=4000, required=False)


class JobPlacementCreateSerializer(JobPlacementUpdateSerializer):
    student = VisibleStudent()
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all())
    title = serializers.CharField(max_length=150)
    classification = serializers.ChoiceField(choices=Classification.choices)
    employment = serializers.ChoiceField(choices=Employment.choices)
    hourly_wage_cents = serializers.IntegerField(
        min_value=1, max_value=MAX_HOURLY_WAGE_CENTS, help_text="Cents an hour."
    )
    start_date = serializers.DateField()
    verification_method = serializers.ChoiceField(choices=Verification.choices)
    evidence_note = serializers.CharField(
        max_length=4000, help_text="What shows the job is real: who confirmed it, what document."
    )


# -- unavailability ----------------------------------------------------------------------------


class UnavailabilitySerializer(StudentNamed):
    recorded_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Unavailability
        fields = [
            "id",
            "student",
            "student_name",
            "reason",
            "documented_on",
            "evidence_note",
            "recorded_by",
        ]
        read_only_fields = fields


class UnavailabilityUpdateSerializer(StrictInput, serializers.Serializer):
    reason = serializers.ChoiceField(choices=UnavailableReason.choices, required=False)
    documented_on = serializers.DateField(required=False)
    evidence_note = serializers.CharField(max_length=4000, required=False)


class UnavailabilityCreateSerializer(UnavailabilityUpdateSerializer):
    student = VisibleStudent(help_text="A graduate's student id.")
    reason = serializers.ChoiceField(choices=UnavailableReason.choices)
    documented_on = serializers.DateField()
    evidence_note = serializers.CharField(max_length=4000)
