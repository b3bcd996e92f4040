"""Students over HTTP: a coach's caseload, everyone for admins, and progress for the student too.

Progress comes from `externships.selectors.progress_for`, once per page of students, so a list
costs the same queries for 2 students or 200."""

from collections.abc import Sequence
from datetime import date

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import HasRole, IsAdmin, IsStaff
from backend.api import StrictInput
from coaching.selectors import FLAG_LABELS, risk_flags, student_messages
from coaching.services import message_student
from enrollment.models import Cohort, Student, StudentStage
from externships.selectors import Progress, progress_for, visible_students
from messaging.models import Message, MessageChannel
from students.services import (
    leave_end,
    leave_start,
    student_graduate,
    student_reenter,
    student_withdraw,
)

# Ending or restarting an enrollment is the school's decision; leave is arranged with the coach.
ADMIN_ACTIONS = ("graduate", "withdraw", "reenter")


class ReadsProgress(HasRole):
    """The student (themself only, by the queryset), coaches (their caseload) and admins."""

    roles = (Role.STUDENT, Role.COACH, Role.ADMIN)


class StudentFilter(django_filters.FilterSet):
    cohort = django_filters.NumberFilter(field_name="cohort")
    program = django_filters.CharFilter(field_name="cohort__program__slug")
    coach = django_filters.NumberFilter(field_name="coach")
    stage = django_filters.ChoiceFilter(choices=StudentStage.choices)

    class Meta:
        model = Student
        fields = ["cohort", "program", "coach", "stage"]


class LineSerializer(serializers.Serializer):
    label = serializers.CharField()
    done = serializers.FloatField()
    required = serializers.FloatField()
    unit = serializers.CharField()
    met = serializers.BooleanField()
    missing = serializers.CharField(help_text='In words, e.g. "12 venipunctures to go", or "done".')


class RequirementProgressSerializer(serializers.Serializer):
    label = serializers.CharField(source="requirement.label")
    kind = serializers.CharField(source="requirement.kind")
    met = serializers.BooleanField()
    lines = LineSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    """Progress against the student's edition of the requirements, from approved logs only."""

    student = serializers.IntegerField(source="student.pk")
    edition = serializers.CharField()
    complete = serializers.BooleanField()
    requirements = RequirementProgressSerializer(many=True)


class ProgressSummarySerializer(serializers.Serializer):
    edition = serializers.CharField()
    complete = serializers.BooleanField()
    requirements_met = serializers.SerializerMethodField()
    requirements_total = serializers.SerializerMethodField()
    to_go = serializers.SerializerMethodField(help_text="What is missing, in words.")

    def get_requirements_met(self, progress: Progress) -> int:
        return sum(1 for r in progress.requirements if r.met)

    def get_requirements_total(self, progress: Progress) -> int:
        return len(progress.requirements)

    def get_to_go(self, progress: Progress) -> list[str]:
        return [line.missing for r in progress.requirements for line in r.lines if not line.met]


class CoachSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class StudentCohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class FlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(FLAG_LABELS.items()))
    label = serializers.CharField()
    reason = serializers.CharField()


class StudentSerializer(serializers.ModelSerializer):
    """Reads `progress` from the context: {student id: Progress}, computed for the whole page."""

    name = serializers.CharField(source="user.__str__")
    email = serializers.EmailField(source="user.email")
    cohort = StudentCohortSerializer()
    program = serializers.SlugRelatedField(
        source="cohort.program", slug_field="slug", read_only=True
    )
    coach = CoachSerializer(allow_null=True)
    progress = serializers.SerializerMethodField()
    risk_flags = serializers.SerializerMethodField(
        help_text="What needs the coach's attention, each with its reason."
    )

    class Meta:
        model = Student
        fields = [
            "id",
            "name",
            "email",
            "application",
            "enrolled_at",
            "cohort",
            "program",
            "coach",
            "stage",
            "progress",
            "risk_flags",
        ]
        read_only_fields = fields

    @extend_schema_field(FlagSerializer(many=True))
    def get_risk_flags(self, student: Student) -> list[dict]:
        return FlagSerializer(self.context["flags"][student.pk], many=True).data

    @extend_schema_field(ProgressSummarySerializer)
    def get_progress(self, student: Student) -> dict:
        return ProgressSummarySerializer(self.context["progress"][student.pk]).data


def _today() -> date:
    return timezone.localdate()


class GraduateSerializer(StrictInput, serializers.Serializer):
    on = serializers.DateField(default=_today, help_text="Graduation date; today by default.")


class StudentWithdrawSerializer(StrictInput, serializers.Serializer):
    on = serializers.DateField(default=_today, help_text="Last day; today by default.")
    reason = serializers.CharField(max_length=300)


class LeaveSerializer(StrictInput, serializers.Serializer):
    starts_on = serializers.DateField(default=_today)
    expected_return_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=300)


class ReturnSerializer(StrictInput, serializers.Serializer):
    on = serializers.DateField(default=_today)


class ReenterSerializer(StrictInput, serializers.Serializer):
    cohort = serializers.PrimaryKeyRelatedField(queryset=Cohort.objects.all())
    on = serializers.DateField(default=_today)


class PeriodSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(source="cohort_id")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField()
    reentry_after = serializers.DateField(
        allow_null=True, help_text="For a re-entry, when the previous period ended."
    )


class LeaveOutSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    expected_return_on = serializers.DateField(allow_null=True)
    returned_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class StageEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    by = serializers.CharField(source="actor.email", default="system")
    reason = serializers.CharField()


class StudentDetailSerializer(StudentSerializer):
    """One student, with their enrollment periods, leaves and every stage change."""

    periods = PeriodSerializer(many=True)
    leaves = LeaveOutSerializer(many=True)
    history = StageEventSerializer(many=True)

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, "periods", "leaves", "history"]
        read_only_fields = fields


class MessageInSerializer(StrictInput, serializers.Serializer):
    channel = serializers.ChoiceField(choices=MessageChannel.choices)
    subject = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    body = serializers.CharField(max_length=4000)


class MessageOutSerializer(serializers.ModelSerializer):
    sender = serializers.EmailField(source="sender.email", default=None, allow_null=True)
    body = serializers.SerializerMethodField(
        help_text="What a coach, an admin or the student (to their coach) wrote; null for the "
        "school's automatic messages, whose links (status pages) belong to the student alone."
    )

    def get_body(self, message: Message) -> str | None:
        return message.body if message.sender_id else None

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "address",
            "kind",
            "subject",
            "body",
            "status",
            "reason",
            "sender",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class StudentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Students with a compact progress summary: a coach sees their caseload, admins everyone."""

    serializer_class = StudentSerializer
    filterset_class = StudentFilter

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "progress":
            return [ReadsProgress()]
        return [IsAdmin()] if self.action in ADMIN_ACTIONS else [IsStaff()]

    def get_queryset(self) -> QuerySet[Student]:
        if getattr(self, "swagger_fake_view", False):
            return Student.objects.none()
        return visible_students(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), **self._reads(page)}
        return self.get_paginated_response(StudentSerializer(page, many=True, context=context).data)

    def _reads(self, students: Sequence[Student]) -> dict:
        """Progress and risk flags for a page of students, in a fixed number of queries."""
        return {
            "progress": progress_for(students),
            "flags": risk_flags(Student.objects.filter(pk__in=[s.pk for s in students])),
        }

    def _detail(self, student: Student) -> Response:
        fresh = (
            self.get_queryset()
            .prefetch_related("periods", "leaves", "history__actor")
            .get(pk=student.pk)
        )
        context = {**self.get_serializer_context(), **self._reads([fresh])}
        return Response(StudentDetailSerializer(fresh, context=context).data)

    @extend_schema(responses=StudentDetailSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return self._detail(self.get_object())

    def _body(self, serializer_class: type[serializers.Serializer]) -> dict:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(request=GraduateSerializer, responses=StudentDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def graduate(self, request: Request, pk: int) -> Response:
        """Graduate a student whose clinical requirements are met (409 from another stage)."""
        body = self._body(GraduateSerializer)
        student = student_graduate(student=self.get_object(), on=body["on"], actor=request.user)
        return self._detail(student)

    @extend_schema(request=StudentWithdrawSerializer, responses=StudentDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request: Request, pk: int) -> Response:
        """End the enrollment; a seat the student still holds goes to the waitlist."""
        body = self._body(StudentWithdrawSerializer)
        student = student_withdraw(student=self.get_object(), actor=request.user, **body)
        return self._detail(student)

    @extend_schema(request=LeaveSerializer, responses=StudentDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def leave(self, request: Request, pk: int) -> Response:
        """Start an approved leave of absence; the student stays enrolled."""
        body = self._body(LeaveSerializer)
        student = self.get_object()
        leave_start(student=student, actor=request.user, **body)
        return self._detail(student)

    @extend_schema(request=ReturnSerializer, responses=StudentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", filterset_class=None)
    def return_from_leave(self, request: Request, pk: int) -> Response:
        body = self._body(ReturnSerializer)
        student = leave_end(student=self.get_object(), returned_on=body["on"], actor=request.user)
        return self._detail(student)

    @extend_schema(request=ReenterSerializer, responses=StudentDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reenter(self, request: Request, pk: int) -> Response:
        """A withdrawn student comes back in a cohort of the same program."""
        body = self._body(ReenterSerializer)
        student = student_reenter(student=self.get_object(), actor=request.user, **body)
        return self._detail(student)

    @extend_schema(responses=ProgressSerializer)
    @action(detail=True, filterset_class=None)
    def progress(self, request: Request, pk: int) -> Response:
        student = self.get_object()
        return Response(ProgressSerializer(progress_for([student])[student.pk]).data)

    @extend_schema(responses=MessageOutSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def messages(self, request: Request, pk: int) -> Response:
        """Every email and text to the student, and the student's own to their coach, newest
        first, with what became of it."""
        page = self.paginate_queryset(student_messages(self.get_object()))
        return self.get_paginated_response(MessageOutSerializer(page, many=True).data)

    @messages.mapping.post
    @extend_schema(request=MessageInSerializer, responses={201: MessageOutSerializer})
    def message_send(self, request: Request, pk: int) -> Response:
        """Email or text the student (their coach or an admin). Refused with the reason when the
        student has no address, or for a text no live consent to texts about their studies;
        texts wait for their daytime."""
        body = self._body(MessageInSerializer)
        message = message_student(student=self.get_object(), by=request.user, **body)
        return Response(MessageOutSerializer(message).data, status=201)
