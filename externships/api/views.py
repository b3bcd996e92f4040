"""Sites, placements and clinical logs over HTTP: views parse, call one service, and render.

Who reads what is decided once, in `readable`, and applied in each `get_queryset()`, so a
record someone may not see answers 404 rather than 403."""

from collections.abc import Callable

from django.db.models import Prefetch, ProtectedError, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import Role, User
from accounts.permissions import HasRole, IsAdmin, IsStaff, IsStudent
from backend.errors import NotAllowed, RuleViolation
from backend.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from enrollment.models import Student
from externships.api.filters import (
    ComplianceDocumentFilter,
    ExternshipFilter,
    HourLogFilter,
    ProcedureLogFilter,
    SiteFilter,
)
from externships.api.serializers import (
    BulkApproveSerializer,
    ComplianceDocumentCreateSerializer,
    ComplianceDocumentSerializer,
    ExternshipCreateSerializer,
    ExternshipSerializer,
    ExternshipUpdateSerializer,
    HourLogCreateSerializer,
    HourLogSerializer,
    ProcedureLogCreateSerializer,
    ProcedureLogSerializer,
    ReasonSerializer,
    ResubmitSerializer,
    SiteInputSerializer,
    SiteSerializer,
)
from externships.compliance import compliance_document_record
from externships.deciders import DECIDER_ROLES, decidable_logs
from externships.models import (
    ComplianceDocument,
    DecisionVia,
    Externship,
    HourLog,
    LogDecision,
    LogStatus,
    ProcedureLog,
    Site,
)
from externships.selectors import readable
from externships.services import (
    externship_close,
    externship_create,
    hour_log_create,
    log_decide,
    log_resubmit,
    logs_bulk_approve,
    procedure_log_create,
)

READ_ACTIONS = ("list", "retrieve")
DECISIONS = ("approve", "reject", "needs_info", "bulk_approve")


class ReadsExternships(HasRole):
    roles = (Role.ADMIN, Role.COACH, Role.SUPERVISOR, Role.STUDENT)


class DecidesLogs(HasRole):
    """Who may decide at all; which logs each may decide is `decidable_logs` (the same rule)."""

    roles = DECIDER_ROLES


def refuse_if_protected(instance: Site | Externship, message: str) -> None:
    """Delete, or answer 409 with `message` while other records still refer to it."""
    try:
        instance.delete()
    except ProtectedError:
        raise NotAllowed(message) from None


# -- sites -------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=SiteInputSerializer, responses={201: SiteSerializer}),
    update=extend_schema(request=SiteInputSerializer, responses=SiteSerializer),
    partial_update=extend_schema(request=SiteInputSerializer, responses=SiteSerializer),
)
class SiteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Externship sites: admins keep them; coaches read them to plan placements."""

    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    queryset = Site.objects.prefetch_related(
        "programs",
        Prefetch(
            "supervisors", queryset=User.objects.only("id", "email", "first_name", "last_name")
        ),
    )

    def get_permissions(self) -> list[BasePermission]:
        return [IsStaff()] if self.action in READ_ACTIONS else [IsAdmin()]

    def _respond(self, site: Site, code: int = status.HTTP_200_OK) -> Response:
        return Response(SiteSerializer(self.get_queryset().get(pk=site.pk)).data, status=code)

    def create(self, request: Request) -> Response:
        body = SiteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(body.save(), status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        body = SiteInputSerializer(self.get_object(), data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        return self._respond(body.save())

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def perform_destroy(self, site: Site) -> None:
        refuse_if_protected(site, f"{site} has placements; it cannot be deleted.")


# -- compliance documents ----------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=ComplianceDocumentCreateSerializer, responses={201: ComplianceDocumentSerializer}
    ),
)
class ComplianceDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Students' compliance documents, newest first: admins record and list them. A placement
    is refused while a required one is missing or expired on its start date."""

    serializer_class = ComplianceDocumentSerializer
    filterset_class = ComplianceDocumentFilter
    permission_classes = (IsAdmin,)
    queryset = ComplianceDocument.objects.select_related("student__user").order_by(
        "-received_on", "-id"
    )

    def create(self, request: Request) -> Response:
        body = ComplianceDocumentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = compliance_document_record(**body.validated_data, by=request.user)
        fresh = self.get_queryset().get(pk=document.pk)
        return Response(ComplianceDocumentSerializer(fresh).data, status=status.HTTP_201_CREATED)


# -- externships -------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=ExternshipCreateSerializer, responses={201: ExternshipSerializer}),
    partial_update=extend_schema(
        request=ExternshipUpdateSerializer, responses=ExternshipSerializer
    ),
)
class ExternshipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Placements: admins place students; coaches, supervisors and students read their own."""

    serializer_class = ExternshipSerializer
    filterset_class = ExternshipFilter

    def get_permissions(self) -> list[BasePermission]:
        return [ReadsExternships()] if self.action in READ_ACTIONS else [IsAdmin()]

    def get_queryset(self) -> QuerySet[Externship]:
        externships = Externship.objects.select_related("student__user", "site", "supervisor")
        if getattr(self, "swagger_fake_view", False):
            return externships.none()
        return readable(externships, self.request.user)

    def _respond(self, externship: Externship, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=externship.pk)
        return Response(ExternshipSerializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        body = ExternshipCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        externship = externship_create(**body.validated_data, by=request.user)
        return self._respond(externship, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Close a placement (completed or cancelled); its dates, student and site stay."""
        body = ExternshipUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closed = externship_close(
            externship=self.get_object(), status=body.validated_data["status"], by=request.user
        )
        return self._respond(closed)

    def perform_destroy(self, externship: Externship) -> None:
        refuse_if_protected(externship, "This placement has logs; close it instead of deleting.")


# -- clinical logs -----------------------------------------------------------------------------


class ClinicalLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What hour and procedure logs share. No update or delete: approved logs are frozen and a
    correction is a new log naming the old one in `corrects`."""

    model: type[HourLog] | type[ProcedureLog]
    create_serializer_class: type[BaseSerializer]
    create_service: Callable[..., HourLog | ProcedureLog]  # the service that writes a new log

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("create", "resubmit"):
            return [IsStudent()]
        if self.action in DECISIONS:
            return [DecidesLogs()]
        return [ReadsExternships()]

    def _readable(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        if self.action in DECISIONS:
            # A log this user may read but not decide is as unknown here as anyone else's: 404.
            return decidable_logs(self.request.user, self.model)
        return readable(self.model.objects.all(), self.request.user, path="externship__")

    def get_queryset(self) -> QuerySet:
        decisions = LogDecision.objects.select_related("decided_by")
        return (
            self._readable()
            .select_related("externship__student__user")
            .prefetch_related(Prefetch("decisions", queryset=decisions))
        )

    def _student(self) -> Student:
        student = Student.objects.filter(user=self.request.user).first()
        if student is None:
            raise PermissionDenied("Only an enrolled student logs clinical work.")
        return student

    def _respond(self, log: HourLog | ProcedureLog, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=log.pk)).data, status=code)

    @idempotent
    def create(self, request: Request) -> Response:
        student = self._student()
        body = self.create_serializer_class(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        log = self.create_service(student=student, **body.validated_data)
        return self._respond(log, status.HTTP_201_CREATED)

    def _decide(self, decision: str, reason: str = "") -> Response:
        log = log_decide(
            log=self.get_object(),
            decision=decision,
            reason=reason,
            by=self.request.user,
            via=DecisionVia.LOGIN,
        )
        return self._respond(log)

    def _reason(self) -> str:
        body = ReasonSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["reason"]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        return self._decide(LogStatus.APPROVED)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        return self._decide(LogStatus.REJECTED, self._reason())

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="needs-info")
    def needs_info(self, request: Request, pk: int) -> Response:
        return self._decide(LogStatus.NEEDS_INFO, self._reason())

    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-approve",
        filterset_class=None,
        pagination_class=None,
    )
    def bulk_approve(self, request: Request) -> Response:
        """Approve all the logs named, or none of them when one cannot be approved."""
        body = BulkApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data["ids"]
        # Logs this user may not decide are unknown here, exactly as a 404 would say.
        known = set(self._readable().filter(pk__in=ids).values_list("pk", flat=True))
        unknown = [str(i) for i in ids if i not in known]
        if unknown:
            raise RuleViolation(f"No such logs: {', '.join(unknown)}.", field="ids")
        logs = logs_bulk_approve(model=self.model, ids=ids, by=request.user)
        approved = self.get_queryset().filter(pk__in=[log.pk for log in logs]).order_by("id")
        return Response(self.get_serializer(approved, many=True).data)

    @extend_schema(request=ResubmitSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: int) -> Response:
        """The student answers a request for more information; the log goes back for review."""
        body = ResubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        log = log_resubmit(
            log=self.get_object(), student=self._student(), notes=body.validated_data["notes"]
        )
        return self._respond(log)


@extend_schema_view(
    create=extend_schema(
        request=HourLogCreateSerializer,
        responses={201: HourLogSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    bulk_approve=extend_schema(
        request=BulkApproveSerializer, responses=HourLogSerializer(many=True)
    ),
)
class HourLogViewSet(ClinicalLogViewSet):
    """Clinical hours: the student logs their shifts; the site's supervisor or staff decide."""

    model = HourLog
    serializer_class = HourLogSerializer
    create_serializer_class = HourLogCreateSerializer
    filterset_class = HourLogFilter

    create_service = staticmethod(hour_log_create)


@extend_schema_view(
    create=extend_schema(
        request=ProcedureLogCreateSerializer,
        responses={201: ProcedureLogSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    bulk_approve=extend_schema(
        request=BulkApproveSerializer, responses=ProcedureLogSerializer(many=True)
    ),
)
class ProcedureLogViewSet(ClinicalLogViewSet):
    """Procedures, surgical cases and competencies, decided like hours."""

    model = ProcedureLog
    serializer_class = ProcedureLogSerializer
    create_serializer_class = ProcedureLogCreateSerializer
    filterset_class = ProcedureLogFilter

    create_service = staticmethod(procedure_log_create)
