import django_filters

from externships.models import (
    ComplianceDocument,
    DocumentKind,
    Externship,
    ExternshipStatus,
    HourLog,
    LogStatus,
    ProcedureKind,
    ProcedureLog,
    Site,
    SiteKind,
)


class SiteFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="programs__slug", distinct=True)
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices)

    class Meta:
        model = Site
        fields = ["program", "kind"]


class ComplianceDocumentFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")
    program = django_filters.CharFilter(field_name="student__cohort__program__slug")
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    expires_after = django_filters.DateFilter(field_name="expires_on", lookup_expr="gte")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = ComplianceDocument
        fields = ["student", "program", "kind", "expires_after", "expires_before"]


class ExternshipFilter(django_filters.FilterSet):
    # Ids as plain numbers: no query to check that the object exists, and no list of choices.
    student = django_filters.NumberFilter(field_name="student")
    site = django_filters.NumberFilter(field_name="site")
    supervisor = django_filters.NumberFilter(field_name="supervisor")
    program = django_filters.CharFilter(field_name="student__cohort__program__slug")
    status = django_filters.ChoiceFilter(choices=ExternshipStatus.choices)

    class Meta:
        model = Externship
        fields = ["student", "site", "supervisor", "program", "status"]


class ClinicalLogFilter(django_filters.FilterSet):
    externship = django_filters.NumberFilter(field_name="externship")
    student = django_filters.NumberFilter(field_name="externship__student")
    site = django_filters.NumberFilter(field_name="externship__site")
    status = django_filters.MultipleChoiceFilter(choices=LogStatus.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        fields = ["externship", "student", "site", "status", "date_after", "date_before"]


class HourLogFilter(ClinicalLogFilter):
    class Meta(ClinicalLogFilter.Meta):
        model = HourLog


class ProcedureLogFilter(ClinicalLogFilter):
    kind = django_filters.ChoiceFilter(choices=ProcedureKind.choices)

    class Meta(ClinicalLogFilter.Meta):
        model = ProcedureLog
        fields = [*ClinicalLogFilter.Meta.fields, "kind"]
