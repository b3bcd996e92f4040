"""Coaching sessions over HTTP: a coach books and closes sessions for their caseload, admins for
anyone, and a student books, moves or cancels their own. Others' sessions are 404."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import HasRole, IsStaff
from backend.api import StrictInput
from backend.filters import MomentFilter
from coaching.models import CoachingSession, CoachNote, SessionKind, SessionStatus
from coaching.services import note_add, session_schedule, session_update
from enrollment.models import Student
from externships.selectors import visible_students


class Coached(HasRole):
    roles = (Role.STUDENT, Role.COACH, Role.ADMIN)


def reachable_student(request: Request, pk: int) -> Student:
    student = visible_students(request.user).filter(pk=pk).first()
    if student is None:
        raise serializers.ValidationError({"student": ["No such student in your caseload."]})
    return student


class SessionFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")
    coach = django_filters.NumberFilter(field_name="coach")
    kind = django_filters.ChoiceFilter(choices=SessionKind.choices)
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)
    starts_after = MomentFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = MomentFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = CoachingSession
        fields = ["student", "coach", "kind", "status", "starts_after", "starts_before"]


class SessionSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.user.__str__", read_only=True)
    coach_name = serializers.CharField(source="coach.__str__", read_only=True)

    class Meta:
        model = CoachingSession
        fields = [
            "id",
            "student",
            "student_name",
            "coach",
            "coach_name",
            "kind",
            "starts_at",
            "duration_minutes",
            "status",
            "outcome",
            "next_step",
            "created_at",
        ]
        read_only_fields = fields


class SessionCreateSerializer(StrictInput, serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, default=30)


class SessionUpdateSerializer(StrictInput, serializers.Serializer):
    kind = serializers.ChoiceField(choices=SessionKind.choices, required=False)
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, required=False)
    status = serializers.ChoiceField(choices=SessionStatus.choices, required=False)
    outcome = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)


@extend_schema_view(
    create=extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer}),
    partial_update=extend_schema(request=SessionUpdateSerializer, responses=SessionSerializer),
)
class CoachingSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[BasePermission]:
        return [Coached()]

    def get_queryset(self) -> QuerySet[CoachingSession]:
        if getattr(self, "swagger_fake_view", False):
            return CoachingSession.objects.none()
        students = visible_students(self.request.user).values("pk")
        return CoachingSession.objects.filter(student__in=students).select_related(
            "student__user", "coach"
        )

    def _respond(self, session: CoachingSession, code: int = status.HTTP_200_OK) -> Response:
        return Response(SessionSerializer(self.get_queryset().get(pk=session.pk)).data, status=code)

    def create(self, request: Request) -> Response:
        body = SessionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        student = reachable_student(request, data.pop("student"))
        session = session_schedule(student=student, by=request.user, **data)
        return self._respond(session, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        body = SessionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = session_update(session=self.get_object(), by=request.user, **body.validated_data)
        return self._respond(session)


class NoteFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student")

    class Meta:
        model = CoachNote
        fields = ["student"]


class NoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = CoachNote
        fields = ["id", "student", "author", "author_name", "body", "created_at"]
        read_only_fields = fields


class NoteCreateSerializer(StrictInput, serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    body = serializers.CharField(max_length=4000)


@extend_schema_view(
    create=extend_schema(request=NoteCreateSerializer, responses={201: NoteSerializer})
)
class CoachNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Notes about a student, private to staff: coaches for their caseload, admins for all.
    Notes are a record: they are added, never edited or deleted."""

    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    permission_classes = [IsStaff]

    def get_queryset(self) -> QuerySet[CoachNote]:
        if getattr(self, "swagger_fake_view", False):
            return CoachNote.objects.none()
        students = visible_students(self.request.user).values("pk")
        return CoachNote.objects.filter(student__in=students).select_related("author")

    def create(self, request: Request) -> Response:
        body = NoteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        student = reachable_student(request, body.validated_data["student"])
        note = note_add(student=student, author=request.user, body=body.validated_data["body"])
        fresh = self.get_queryset().get(pk=note.pk)
        return Response(NoteSerializer(fresh).data, status=status.HTTP_201_CREATED)
