import django_filters

from careers.models import (
    Classification,
    Employer,
    Employment,
    ExamAttempt,
    ExamResult,
    JobApplication,
    JobApplicationStatus,
    JobPlacement,
    Unavailability,
    UnavailableReason,
)

# Ids as plain numbers: no query to check that the object exists, and no list of choices.


class ExamAttemptFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")
    program = django_filters.CharFilter(field_name="student__cohort__program__slug")
    result = django_filters.MultipleChoiceFilter(choices=ExamResult.choices)
    sat_after = django_filters.DateFilter(field_name="sat_on", lookup_expr="gte")
    sat_before = django_filters.DateFilter(field_name="sat_on", lookup_expr="lte")

    class Meta:
        model = ExamAttempt
        fields = ["student", "program", "result", "sat_after", "sat_before"]


class EmployerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name.")
    site = django_filters.NumberFilter(field_name="site")

    class Meta:
        model = Employer
        fields = ["name", "site"]


class JobApplicationFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")
    employer = django_filters.NumberFilter(field_name="employer")
    status = django_filters.MultipleChoiceFilter(choices=JobApplicationStatus.choices)
    applied_after = django_filters.DateFilter(field_name="applied_on", lookup_expr="gte")
    applied_before = django_filters.DateFilter(field_name="applied_on", lookup_expr="lte")

    class Meta:
        model = JobApplication
        fields = ["student", "employer", "status", "applied_after", "applied_before"]


class JobPlacementFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")
    employer = django_filters.NumberFilter(field_name="employer")
    program = django_filters.CharFilter(field_name="student__cohort__program__slug")
    classification = django_filters.MultipleChoiceFilter(choices=Classification.choices)
    employment = django_filters.ChoiceFilter(choices=Employment.choices)
    verified = django_filters.BooleanFilter(
        field_name="verified_at", lookup_expr="isnull", exclude=True
    )
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = JobPlacement
        fields = [
            "student",
            "employer",
            "program",
            "classification",
            "employment",
            "verified",
            "start_after",
            "start_before",
        ]


class UnavailabilityFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")
    program = django_filters.CharFilter(field_name="student__cohort__program__slug")
    reason = django_filters.ChoiceFilter(choices=UnavailableReason.choices)

    class Meta:
        model = Unavailability
        fields = ["student", "program", "reason"]
