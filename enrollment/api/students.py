"""Students over HTTP: a coach's caseload, everyone for admins, and progress for the student too.

Progress comes from `externships.selectors.progress_for`, once per page of students, so a list
costs the same queries for 2 students or 200."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import HasRole, IsStaff
from enrollment.models import Student, StudentStage
from externships.selectors import Progress, progress_for, visible_students


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
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSummarySerializer)
    def get_progress(self, student: Student) -> dict:
        return ProgressSummarySerializer(self.context["progress"][student.pk]).data


class StudentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Students with a compact progress summary: a coach sees their caseload, admins everyone."""

    serializer_class = StudentSerializer
    filterset_class = StudentFilter

    def get_permissions(self) -> list[BasePermission]:
        return [ReadsProgress()] if self.action == "progress" else [IsStaff()]

    def get_queryset(self) -> QuerySet[Student]:
        if getattr(self, "swagger_fake_view", False):
            return Student.objects.none()
        return visible_students(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "progress": progress_for(page)}
        return self.get_paginated_response(StudentSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        student = self.get_object()
        context = {**self.get_serializer_context(), "progress": progress_for([student])}
        return Response(StudentSerializer(student, context=context).data)

    @extend_schema(responses=ProgressSerializer)
    @action(detail=True, filterset_class=None)
    def progress(self, request: Request, pk: str) -> Response:
        student = self.get_object()
        return Response(ProgressSerializer(progress_for([student])[student.pk]).data)
