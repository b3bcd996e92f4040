import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from backend.filters import MomentFilter
from enrollment.models import Application, Cohort, SeatStatus, Status


class CohortFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__slug")
    status = django_filters.ChoiceFilter(choices=SeatStatus.choices, method="filter_status")
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = Cohort
        fields = ["program", "status", "starts_after", "starts_before"]

    def filter_status(self, cohorts: QuerySet[Cohort], name: str, value: str) -> QuerySet[Cohort]:
        """The same rules as `selectors.cohort_status`, as SQL over the annotated counts."""
        closed = Q(enrollment_cutoff__lte=timezone.localdate())
        full = Q(program__waitlist_only=True) | Q(seats_left=0)
        few = Q(seats_left__lte=F("program__few_left_at"))
        return cohorts.filter(
            {
                SeatStatus.CLOSED: closed,
                SeatStatus.WAITLIST_ONLY: ~closed & full,
                SeatStatus.FEW_LEFT: ~closed & ~full & few,
                SeatStatus.OPEN: ~closed & ~full & ~few,
            }[value]
        )


class ApplicationFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="cohort__program__slug")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, method="filter_status")
    submitted_after = MomentFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = MomentFilter(field_name="submitted_at", lookup_expr="lte")
    search = django_filters.CharFilter(method="filter_search", max_length=100)

    class Meta:
        model = Application
        fields = ["cohort", "program", "status", "submitted_after", "submitted_before", "search"]

    def filter_status(
        self, applications: QuerySet[Application], name: str, values: list[str]
    ) -> QuerySet[Application]:
        """By the status readers see: a lapsed offer is expired (Application.current_status)."""
        lapsed = Q(status=Status.OFFERED, offer_expires_at__lte=timezone.now())
        query = Q(status__in=values) & ~lapsed
        if Status.EXPIRED in values:
            query |= lapsed
        return applications.filter(query)

    def filter_search(
        self, applications: QuerySet[Application], name: str, value: str
    ) -> QuerySet[Application]:
        query = Q()
        for word in value.split():
            query &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
            )
        return applications.filter(query)
