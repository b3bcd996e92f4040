"""Exam attempts, employers, job applications, placements and unavailability over HTTP: views
parse, call one service or selector, and render.

Who reads which student's records is `careers.selectors` (a student themself, a coach their
caseload, admins everyone), applied in each `get_queryset()`, so anyone else's record is a 404."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.models import Role
from accounts.permissions import HasRole, IsAdmin, IsStaff
from backend.errors import RuleViolation
from careers.api.filters import (
    EmployerFilter,
    ExamAttemptFilter,
    JobApplicationFilter,
    JobPlacementFilter,
    UnavailabilityFilter,
)
from careers.api.serializers import (
    EmployerInputSerializer,
    EmployerSerializer,
    ExamAttemptCreateSerializer,
    ExamAttemptSerializer,
    ExamAttemptUpdateSerializer,
    FromSiteSerializer,
    JobApplicationCreateSerializer,
    JobApplicationSerializer,
    JobApplicationUpdateSerializer,
    JobPlacementCreateSerializer,
    JobPlacementSerializer,
    JobPlacementUpdateSerializer,
    ReadinessQuerySerializer,
    ReadinessSerializer,
    UnavailabilityCreateSerializer,
    UnavailabilitySerializer,
    UnavailabilityUpdateSerializer,
)
from careers.exams import exam_attempt_create, exam_attempt_delete, exam_attempt_update
from careers.models import Employer, ExamAttempt, JobApplication, JobPlacement, Unavailability
from careers.selectors import (
    exam_attempts,
    exam_readiness,
    exam_student,
    job_applications,
    job_placements,
    unavailabilities,
)
from careers.services import (
    employer_create,
    employer_from_site,
    employer_update,
    job_application_create,
    job_application_update,
    placement_create,
    placement_update,
    placement_verify,
    unavailability_record,
    unavailability_update,
)
from enrollment.models import Student
from externships.selectors import visible_students

READ_ACTIONS = ("list", "retrieve")


class ReadsCareers(HasRole):
    """The student (their own records, by the queryset), coaches (their caseload) and admins."""

    roles = (Role.STUDENT, Role.COACH, Role.ADMIN)


class StudentRecordViewSet(viewsets.GenericViewSet):
    """What the careers records of one student share: the scoped queryset, the student a new
    record is for, and answering with the record as it now reads."""

    # Each viewset's own: the records the signed-in user may read (see `careers.selectors`).
    scoped: Callable[[], QuerySet]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped()

    def _student(self, chosen: Student | None) -> Student:
        """The student named in the body, or the signed-in student themself."""
        if chosen is not None:
            return chosen
        own = Student.objects.filter(user=self.request.user).first()
        if own is None:
            raise RuleViolation("Name the student.", field="student")
        return own

    def _body(self, serializer_class: type[Serializer], partial: bool = False) -> dict:
        body = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _respond(self, record: object, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=code)


# -- exam attempts -----------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=ExamAttemptCreateSerializer, responses={201: ExamAttemptSerializer}
    ),
    partial_update=extend_schema(
        request=ExamAttemptUpdateSerializer, responses=ExamAttemptSerializer
    ),
)
class ExamAttemptViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudentRecordViewSet
):
    """Certification exam attempts: the student books and records their own; their coach and
    admins too. Deleting cancels a booking; a recorded result stays."""

    serializer_class = ExamAttemptSerializer
    filterset_class = ExamAttemptFilter
    permission_classes = [ReadsCareers]

    def scoped(self) -> QuerySet[ExamAttempt]:
        return exam_attempts(self.request.user)

    def create(self, request: Request) -> Response:
        data = self._body(ExamAttemptCreateSerializer)
        student = self._student(data.pop("student", None))
        attempt = exam_attempt_create(student=student, by=request.user, **data)
        return self._respond(attempt, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Record the result, or correct the date or score."""
        attempt = self.get_object()
        data = self._body(ExamAttemptUpdateSerializer, partial=True)
        updated = exam_attempt_update(
            attempt=attempt,
            sat_on=data.get("sat_on", attempt.sat_on),
            result=data.get("result", attempt.result),
            scaled_score=data.get("scaled_score", attempt.scaled_score),
            by=request.user,
        )
        return self._respond(updated)

    def perform_destroy(self, attempt: ExamAttempt) -> None:
        exam_attempt_delete(attempt=attempt)

    @extend_schema(
        parameters=[ReadinessQuerySerializer],
        responses=ReadinessSerializer,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def readiness(self, request: Request) -> Response:
        """Whether the student may sit the exam on `on`, and every reason not, in words."""
        query = ReadinessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        chosen = query.validated_data.get("student")
        if chosen is not None:
            student = get_object_or_404(visible_students(request.user), pk=chosen)
        else:
            student = self._student(None)
        readiness = exam_readiness(exam_student(student.pk), on=query.validated_data.get("on"))
        return Response(ReadinessSerializer(readiness).data)


# -- employers ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=EmployerInputSerializer, responses={201: EmployerSerializer}),
    partial_update=extend_schema(request=EmployerInputSerializer, responses=EmployerSerializer),
)
class EmployerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Employers, kept once by name: staff add them (or make one from an externship site);
    students read them to record their job applications."""

    queryset = Employer.objects.all()
    serializer_class = EmployerSerializer
    filterset_class = EmployerFilter

    def get_permissions(self) -> list[BasePermission]:
        return [ReadsCareers()] if self.action in READ_ACTIONS else [IsStaff()]

    def create(self, request: Request) -> Response:
        body = EmployerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        employer = employer_create(**body.validated_data)
        return Response(EmployerSerializer(employer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        body = EmployerInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        employer = employer_update(employer=self.get_object(), **body.validated_data)
        return Response(EmployerSerializer(employer).data)

    @extend_schema(
        request=FromSiteSerializer,
        responses={200: EmployerSerializer, 201: EmployerSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="from-site",
        filterset_class=None,
        pagination_class=None,
    )
    def from_site(self, request: Request) -> Response:
        """The employer an externship site is, in one step: 201 when made now, 200 when the site
        already had one (or an employer of the same name was linked to it)."""
        body = FromSiteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        employer, created = employer_from_site(site=body.validated_data["site"])
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(EmployerSerializer(employer).data, status=code)


# -- job applications --------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=JobApplicationCreateSerializer, responses={201: JobApplicationSerializer}
    ),
    partial_update=extend_schema(
        request=JobApplicationUpdateSerializer, responses=JobApplicationSerializer
    ),
)
class JobApplicationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudentRecordViewSet
):
    """Jobs a student applied for: the student records their own; their coach and admins too.
    A change of status is dated by the service."""

    serializer_class = JobApplicationSerializer
    filterset_class = JobApplicationFilter
    permission_classes = [ReadsCareers]

    def scoped(self) -> QuerySet[JobApplication]:
        return job_applications(self.request.user)

    def create(self, request: Request) -> Response:
        data = self._body(JobApplicationCreateSerializer)
        student = self._student(data.pop("student", None))
        application = job_application_create(student=student, **data)
        return self._respond(application, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        data = self._body(JobApplicationUpdateSerializer, partial=True)
        application = job_application_update(application=self.get_object(), **data)
        return self._respond(application)


# -- job placements ----------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=JobPlacementCreateSerializer, responses={201: JobPlacementSerializer}
    ),
    partial_update=extend_schema(
        request=JobPlacementUpdateSerializer, responses=JobPlacementSerializer
    ),
)
class JobPlacementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudentRecordViewSet
):
    """Jobs students and graduates took, with the evidence and the program's reference pay beside
    the wage. Staff record and verify them (a coach for their caseload); a student reads their own.
    """

    serializer_class = JobPlacementSerializer
    filterset_class = JobPlacementFilter

    def get_permissions(self) -> list[BasePermission]:
        if self.action in READ_ACTIONS:
            return [ReadsCareers()]
        return [IsAdmin()] if self.action == "destroy" else [IsStaff()]

    def scoped(self) -> QuerySet[JobPlacement]:
        return job_placements(self.request.user)

    def create(self, request: Request) -> Response:
        data = self._body(JobPlacementCreateSerializer)
        placement = placement_create(by=request.user, **data)
        return self._respond(placement, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Correct a placement; changing its facts clears the verification."""
        data = self._body(JobPlacementUpdateSerializer, partial=True)
        placement = placement_update(placement=self.get_object(), **data)
        return self._respond(placement)

    @extend_schema(request=None, responses=JobPlacementSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: int) -> Response:
        """Staff confirm the placement on the evidence recorded; 409 when already verified."""
        placement = placement_verify(placement=self.get_object(), by=request.user)
        return self._respond(placement)


# -- unavailability ----------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=UnavailabilityCreateSerializer, responses={201: UnavailabilitySerializer}
    ),
    partial_update=extend_schema(
        request=UnavailabilityUpdateSerializer, responses=UnavailabilitySerializer
    ),
)
class UnavailabilityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudentRecordViewSet
):
    """Graduates documented as unavailable for employment (ABHES U: health, death, military,
    incarceration, continuing education). Admins record them; coaches read their caseload's."""

    serializer_class = UnavailabilitySerializer
    filterset_class = UnavailabilityFilter

    def get_permissions(self) -> list[BasePermission]:
        return [IsStaff()] if self.action in READ_ACTIONS else [IsAdmin()]

    def scoped(self) -> QuerySet[Unavailability]:
        return unavailabilities(self.request.user)

    def create(self, request: Request) -> Response:
        data = self._body(UnavailabilityCreateSerializer)
        record = unavailability_record(by=request.user, **data)
        return self._respond(record, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        data = self._body(UnavailabilityUpdateSerializer, partial=True)
        record = unavailability_update(record=self.get_object(), **data)
        return self._respond(record)
