from datetime import date

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from accounts.models import User
from backend.api import MAX_ID, StrictInput
from enrollment.cohorts import capacity_in_words
from enrollment.models import (
    Application,
    ApplicationEvent,
    Cohort,
    Education,
    Program,
    SeatStatus,
    Status,
)
from enrollment.selectors import cohort_status
from enrollment.services import CapacityPreview, next_open_cohort


class NextCohortSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField()

    class Meta:
        model = Cohort
        fields = ["id", "name", "starts_on", "ends_on", "seats_left"]


class ProgramSerializer(serializers.Serializer):
    """A program with its live seat status; reads a `ProgramSeats`."""

    slug = serializers.SlugField(source="program.slug")
    name = serializers.CharField(source="program.name")
    track = serializers.CharField(source="program.track")
    duration_weeks = serializers.IntegerField(source="program.duration_weeks")
    delivery = serializers.CharField(source="program.delivery")
    credential = serializers.CharField(source="program.credential")
    clinical_requirement = serializers.CharField(source="program.clinical_requirement")
    # What the program's page shows; texts are typed one item a line, "" when not set.
    length = serializers.CharField(
        source="program.length_in_words", help_text='As the school says it, e.g. "4 months".'
    )
    schedule = serializers.CharField(source="program.schedule")
    tuition_cents = serializers.IntegerField(source="program.tuition_cents", allow_null=True)
    tuition_includes = serializers.CharField(source="program.tuition_includes")
    fees = serializers.CharField(source="program.fees")
    payment_options = serializers.CharField(source="program.payment_options")
    requirements_to_apply = serializers.CharField(source="program.requirements_to_apply")
    seat_status = serializers.ChoiceField(choices=SeatStatus.choices)
    next_cohort = NextCohortSerializer(allow_null=True)


class CohortSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    seats_left = serializers.IntegerField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Cohort
        fields = [
            "id",
            "program",
            "name",
            "starts_on",
            "ends_on",
            "capacity",
            "seats_left",
            "status",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=SeatStatus.choices))
    def get_status(self, cohort: Cohort) -> str:
        return cohort_status(cohort)


class StaffCohortSerializer(CohortSerializer):
    enrolled_count = serializers.IntegerField()
    offered_count = serializers.IntegerField()
    waitlisted_count = serializers.IntegerField()
    enrollment_cutoff = serializers.DateField()
    coaches = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(CohortSerializer.Meta):
        fields = [
            *CohortSerializer.Meta.fields,
            "enrollment_cutoff",
            "enrolled_count",
            "offered_count",
            "waitlisted_count",
            "coaches",
        ]


# What a PostgreSQL `integer` column (the capacity) holds.
MAX_CAPACITY = 2**31 - 1


class CohortCreateSerializer(StrictInput, serializers.Serializer):
    program = serializers.SlugRelatedField(slug_field="slug", queryset=Program.objects.all())
    name = serializers.CharField(max_length=120)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    capacity = serializers.IntegerField(min_value=0, max_value=MAX_CAPACITY)
    enrollment_cutoff = serializers.DateField(
        required=False, help_text="No offers from this date on; by default the start date."
    )
    # Any person's id: that each is an active coach is the service's rule (enrollment/cohorts.py).
    coaches = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=User.objects.all(),
        help_text="Ids of active coaches; new students get the least-loaded of them.",
    )


class CohortUpdateSerializer(StrictInput, serializers.Serializer):
    """What an admin may change; the program stays. A capacity is set as the admin's "Change
    capacity" sets it: the seats it frees go to the waitlist at once."""

    name = serializers.CharField(max_length=120, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    enrollment_cutoff = serializers.DateField(required=False)
    capacity = serializers.IntegerField(min_value=0, max_value=MAX_CAPACITY, required=False)
    coaches = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=User.objects.all(),
        help_text="Ids of active coaches: the whole list, replacing the one before.",
    )


class CapacityQuerySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(
        min_value=0, max_value=MAX_CAPACITY, help_text="The capacity to preview."
    )


class CapacityPreviewSerializer(serializers.Serializer):
    """What setting the capacity would do now (enrollment.services.CapacityPreview), in numbers
    and in the admin preview's words (`explained`, from the context's cohort)."""

    current = serializers.IntegerField(help_text="The capacity now.")
    capacity = serializers.IntegerField(help_text="The capacity previewed.")
    held = serializers.IntegerField(help_text="Seats enrolled or offered (offers not lapsed).")
    waiting = serializers.IntegerField(help_text="People on the waitlist.")
    free = serializers.IntegerField(help_text="Seats free under the new capacity.")
    offers = serializers.IntegerField(
        help_text="Offers that saving it sends, to the first people waiting, in order."
    )
    owed = serializers.IntegerField(
        help_text="Free seats a waitlist-only cohort keeps for the next people to join it."
    )
    left_open = serializers.IntegerField(
        help_text="Free seats offered to nobody: open to applicants, or closed (waitlist-only)."
    )
    past_cutoff = serializers.BooleanField()
    waitlist_only = serializers.BooleanField()
    explained = serializers.SerializerMethodField()

    def get_explained(self, preview: CapacityPreview) -> str:
        return capacity_in_words(self.context["cohort"], preview)


class ConsentSerializer(StrictInput, serializers.Serializer):
    """Marketing consent per channel, and `updates_sms`: texts about this application. Email
    about the application needs none: it always goes to the address given."""

    sms = serializers.BooleanField(default=False, help_text="Marketing texts.")
    email = serializers.BooleanField(default=False, help_text="Marketing email.")
    phone = serializers.BooleanField(default=False, help_text="Marketing calls.")
    updates_sms = serializers.BooleanField(
        default=False, help_text="Texts about this application (offers, deadlines, reminders)."
    )


class ApplicationCreateSerializer(StrictInput, serializers.Serializer):
    # An id, checked by the service under its lock: no second read of the cohort per request.
    cohort = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    program = serializers.SlugRelatedField(
        slug_field="slug", queryset=Program.objects.filter(is_active=True), required=False
    )
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = PhoneNumberField()
    date_of_birth = serializers.DateField()
    education = serializers.ChoiceField(choices=Education.choices)
    consent = ConsentSerializer(required=False)
    prior_healthcare_experience = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )

    def validate_date_of_birth(self, value: date) -> date:
        if value >= timezone.localdate():
            raise serializers.ValidationError("The date of birth must be in the past.")
        if value.year < 1900:
            raise serializers.ValidationError("Enter a date of birth after 1900.")
        return value

    def validate(self, attrs: dict) -> dict:
        cohort_id, program = attrs.get("cohort"), attrs.pop("program", None)
        if cohort_id is None and program is None:
            raise serializers.ValidationError({"cohort": ["Give a cohort id or a program slug."]})
        if program is not None and cohort_id is not None:
            if not program.cohorts.filter(pk=cohort_id).exists():
                raise serializers.ValidationError(
                    {"cohort": ["This cohort is not in that program."]}
                )
        elif program is not None:
            cohort = next_open_cohort(program)
            if cohort is None:
                raise serializers.ValidationError(
                    {"program": ["This program has no cohort open for applications right now."]}
                )
            attrs["cohort"] = cohort.pk
        attrs["consent"] = attrs.get("consent") or dict.fromkeys(
            ("sms", "email", "phone", "updates_sms"), False
        )
        return attrs


class ApplicationEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="actor_label")

    class Meta:
        model = ApplicationEvent
        fields = ["at", "from_status", "to_status", "by", "reason"]


class ApplicationSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(
        source="cohort.program", slug_field="slug", read_only=True
    )
    phone = serializers.CharField(read_only=True)
    # A lapsed offer reads as expired before it is settled (see Application.current_status).
    status = serializers.ChoiceField(
        choices=Status.choices, source="current_status", read_only=True
    )
    waitlist_position = serializers.IntegerField(allow_null=True, read_only=True)
    history = ApplicationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "cohort",
            "program",
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "education",
            "status",
            "submitted_at",
            "waitlist_position",
            "offered_at",
            "offer_expires_at",
            "ineligibility_reason",
            "status_token",
            "history",
        ]
        read_only_fields = fields


class ApplicationCreatedSerializer(ApplicationSerializer):
    """What an applicant gets back: enough to follow their application, nothing of others."""

    class Meta(ApplicationSerializer.Meta):
        fields = [
            "id",
            "cohort",
            "program",
            "status",
            "submitted_at",
            "waitlist_position",
            "offer_expires_at",
            "ineligibility_reason",
            "status_token",
        ]
        read_only_fields = fields


class WaitlistEntrySerializer(serializers.ModelSerializer):
    position = serializers.IntegerField()
    phone = serializers.CharField()

    class Meta:
        model = Application
        fields = ["id", "position", "first_name", "last_name", "email", "phone", "submitted_at"]


class WithdrawSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
