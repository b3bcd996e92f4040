from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import BaseThrottle

from accounts.models import User
from accounts.permissions import IsAdmin, IsStaff
from backend.api import ApplyRateThrottle, TokenRateThrottle
from backend.http import client_address
from backend.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from enrollment.api.filters import ApplicationFilter, CohortFilter
from enrollment.api.serializers import (
    ApplicationCreatedSerializer,
    ApplicationCreateSerializer,
    ApplicationSerializer,
    CapacityPreviewSerializer,
    CapacityQuerySerializer,
    CohortCreateSerializer,
    CohortSerializer,
    CohortUpdateSerializer,
    ProgramSerializer,
    StaffCohortSerializer,
    WaitlistEntrySerializer,
    WithdrawSerializer,
)
from enrollment.applying import RequestMeta, application_submit
from enrollment.cohorts import cohort_create, cohort_update
from enrollment.models import Application, Cohort, Program
from enrollment.selectors import (
    applications_with_positions,
    cohorts_with_counts,
    programs_with_seats,
    waitlist,
)
from enrollment.services import (
    Actor,
    application_accept,
    application_decline,
    application_move_to_next_cohort,
    application_withdraw,
    capacity_change_preview,
)

TOKEN_PARAMETER = OpenApiParameter(
    "token", OpenApiTypes.STR, description="The applicant's status token (instead of a login)."
)


class ProgramViewSet(viewsets.GenericViewSet):
    """The programs with their live seat status and next open cohort."""

    permission_classes = (AllowAny,)
    serializer_class = ProgramSerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"
    queryset = Program.objects.filter(is_active=True)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(programs_with_seats(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        program = get_object_or_404(self.get_queryset(), slug=slug)
        [seats] = programs_with_seats(Program.objects.filter(pk=program.pk))
        return Response(self.get_serializer(seats).data)


ADMIN_COHORT_ACTIONS = ("create", "partial_update", "capacity_preview")


def staff_cohorts(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Cohorts with their counts and their coaches' ids, as `StaffCohortSerializer` reads them."""
    coaches = Prefetch("coaches", queryset=User.objects.only("id"))
    return cohorts_with_counts(cohorts).prefetch_related(coaches)


@extend_schema_view(
    create=extend_schema(request=CohortCreateSerializer, responses={201: StaffCohortSerializer}),
    partial_update=extend_schema(request=CohortUpdateSerializer, responses=StaffCohortSerializer),
)
class CohortViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cohorts and their seats; staff also see how many are enrolled, offered and waiting, and
    admins create cohorts and change them (capacity too, previewed first if they like)."""

    permission_classes = (AllowAny,)
    filterset_class = CohortFilter

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ADMIN_COHORT_ACTIONS:
            return [IsAdmin()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Cohort]:
        cohorts = Cohort.objects.filter(program__is_active=True)
        user = self.request.user
        if user.is_authenticated and user.is_school_staff:
            return staff_cohorts(cohorts)
        return cohorts_with_counts(cohorts)

    def get_serializer_class(self) -> type[BaseSerializer]:
        user = self.request.user
        if user.is_authenticated and user.is_school_staff:
            return StaffCohortSerializer
        return CohortSerializer

    def _respond(self, cohort: Cohort, code: int = status.HTTP_200_OK) -> Response:
        fresh = staff_cohorts(Cohort.objects.filter(pk=cohort.pk)).get()
        return Response(StaffCohortSerializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        body = CohortCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cohort = cohort_create(**body.validated_data, by=request.user)
        return self._respond(cohort, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Change any of the fields given; a cohort of an inactive program too, as in the admin."""
        body = CohortUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cohort = get_object_or_404(Cohort, pk=pk)
        return self._respond(cohort_update(cohort=cohort, **body.validated_data, by=request.user))

    @extend_schema(parameters=[CapacityQuerySerializer], responses=CapacityPreviewSerializer)
    @action(detail=True, url_path="capacity-preview", filterset_class=None, pagination_class=None)
    def capacity_preview(self, request: Request, pk: int) -> Response:
        """What setting the capacity to `capacity` would do now, in numbers and in the words of
        the admin's preview; nothing is saved. Below the seats taken it is a 400, as the change
        would be."""
        query = CapacityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cohort = get_object_or_404(cohorts_with_counts(), pk=pk)
        preview = capacity_change_preview(cohort=cohort, capacity=query.validated_data["capacity"])
        return Response(CapacityPreviewSerializer(preview, context={"cohort": cohort}).data)

    @extend_schema(responses=WaitlistEntrySerializer(many=True))
    @action(detail=True, permission_classes=[IsStaff], filterset_class=None)
    def waitlist(self, request: Request, pk: int) -> Response:
        cohort = get_object_or_404(Cohort, pk=pk)
        page = self.paginate_queryset(waitlist(cohort))
        return self.get_paginated_response(WaitlistEntrySerializer(page, many=True).data)


class IsStaffOrHasToken(BasePermission):
    """Staff, or anyone holding the application's status token (checked by the queryset)."""

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        if user.is_authenticated and user.is_school_staff:
            return True
        return bool(request.query_params.get("token"))


@extend_schema_view(
    retrieve=extend_schema(parameters=[TOKEN_PARAMETER]),
    accept=extend_schema(
        parameters=[TOKEN_PARAMETER], request=None, responses=ApplicationSerializer
    ),
    decline=extend_schema(
        parameters=[TOKEN_PARAMETER], request=None, responses=ApplicationSerializer
    ),
    withdraw=extend_schema(
        parameters=[TOKEN_PARAMETER], request=WithdrawSerializer, responses=ApplicationSerializer
    ),
    move=extend_schema(parameters=[TOKEN_PARAMETER], request=None, responses=ApplicationSerializer),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications: anyone applies; staff list and manage; applicants act through their token."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [AllowAny()]
        if self.action == "list":
            return [IsStaff()]
        return [IsStaffOrHasToken()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [ApplyRateThrottle()] if self.action == "create" else [TokenRateThrottle()]

    def get_queryset(self) -> QuerySet[Application]:
        applications = Application.objects.all()
        user = self.request.user
        if not (user.is_authenticated and user.is_school_staff):
            # An applicant sees only the application whose token they hold; others are a 404.
            applications = applications.filter(
                status_token=self.request.query_params.get("token", "")
            )
        return (
            applications_with_positions(applications)
            .prefetch_related("history")
            .order_by("submitted_at", "id")
        )

    @extend_schema(
        request=ApplicationCreateSerializer,
        responses={201: ApplicationCreatedSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=(
            "Apply. The same email or phone again for the same cohort is a 409 (code "
            "`already_applied`) that says nothing of the first application; its status link is "
            "emailed again to the address on it (at most once an hour)."
        ),
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meta = RequestMeta(
            ip_address=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
            source_page=request.headers.get("Referer", "") or request.path,
        )
        application, _ = application_submit(
            **data.validated_data, meta=meta, actor=Actor.of(request.user)
        )
        return Response(
            ApplicationCreatedSerializer(application).data, status=status.HTTP_201_CREATED
        )

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._respond(self.get_object())

    def _respond(self, application: Application) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(ApplicationSerializer(fresh).data)

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        return self._respond(
            application_accept(application=self.get_object(), actor=Actor.of(request.user))
        )

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        return self._respond(
            application_decline(application=self.get_object(), actor=Actor.of(request.user))
        )

    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = application_withdraw(
            application=self.get_object(),
            actor=Actor.of(request.user),
            reason=body.validated_data["reason"],
        )
        return self._respond(application)

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: int) -> Response:
        """Move a waitlisted application to the next cohort after the cutoff, keeping its place."""
        application = application_move_to_next_cohort(
            application=self.get_object(), actor=Actor.of(request.user)
        )
        return self._respond(application)
