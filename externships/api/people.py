"""People over HTTP, for admins: list and read anyone, add a coach or a site supervisor (invited
by email to choose a password), and change a person's name, phone or time zone.

Here, beside the sites, because a supervisor is added at their site (externships/staff.py)."""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from accounts.permissions import IsAdmin
from accounts.services import person_update
from backend.api import StrictInput
from externships.models import Site
from externships.staff import STAFF_ROLE_CHOICES, staff_member_add

TIME_ZONE_HELP = (
    'An IANA time zone such as "America/Chicago"; texts wait for 8 a.m. to 9 p.m. there. "" '
    "when unknown: then the phone number's area code gives it, else the school's."
)


class PersonFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="groups__name")
    site = django_filters.NumberFilter(
        field_name="supervised_sites", help_text="Supervisors at this site."
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, help_text="Part of the name or email."
    )

    class Meta:
        model = User
        fields = ["role", "site", "search"]

    def filter_search(self, people: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        query = Q()
        for word in value.split():
            query &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return people.filter(query)


class PersonProfileSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(help_text='In E.164, e.g. "+15551234567"; "" when not given.')
    roles = serializers.SerializerMethodField()
    sites = serializers.PrimaryKeyRelatedField(
        source="supervised_sites",
        many=True,
        read_only=True,
        help_text="The sites a supervisor supervises at.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "time_zone",
            "roles",
            "sites",
            "is_active",
        ]
        read_only_fields = fields
        extra_kwargs = {"time_zone": {"help_text": TIME_ZONE_HELP}}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Role.choices)))
    def get_roles(self, person: User) -> list[str]:
        return sorted(person.roles)


class PersonCreateSerializer(StrictInput, serializers.Serializer):
    role = serializers.ChoiceField(choices=STAFF_ROLE_CHOICES)
    email = serializers.EmailField(max_length=254, help_text="Their sign-in; one account each.")
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    phone = PhoneNumberField(required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=TIME_ZONE_HELP
    )
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Where a supervisor supervises (required for one; none for a coach).",
    )


class PersonUpdateSerializer(StrictInput, serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False)
    phone = PhoneNumberField(required=False, allow_blank=True)
    time_zone = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=TIME_ZONE_HELP
    )


@extend_schema_view(
    create=extend_schema(
        request=PersonCreateSerializer,
        responses={201: PersonProfileSerializer},
        description=(
            "Add a coach, or a supervisor at a site. They have no password yet: an invitation "
            "is emailed to them with a link to choose one (it works once, for 3 days; then "
            '"Forgot your password?" on the sign-in page sends a fresh one).'
        ),
    ),
    partial_update=extend_schema(request=PersonUpdateSerializer, responses=PersonProfileSerializer),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Everyone with an account, by last name: students, coaches, supervisors and admins."""

    serializer_class = PersonProfileSerializer
    filterset_class = PersonFilter
    permission_classes = (IsAdmin,)
    queryset = User.objects.prefetch_related(
        "groups", Prefetch("supervised_sites", queryset=Site.objects.only("id"))
    ).order_by("last_name", "first_name", "id")

    def _respond(self, person: User, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=person.pk)
        return Response(PersonProfileSerializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        body = PersonCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = staff_member_add(**body.validated_data, by=request.user)
        return self._respond(person, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        body = PersonUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = person_update(person=self.get_object(), **body.validated_data, by=request.user)
        return self._respond(person)
