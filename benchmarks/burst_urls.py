"""The apply_burst server's URLs: the project's, plus two baselines that each end in one plain
INSERT: `POST /bench/insert/` (raw JSON) and `POST /bench/validated-insert/` (the body parsed and
validated by the application endpoint's own serializer, through DRF, first)."""

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment.api.serializers import ApplicationCreateSerializer

INSERT_TABLE = "bench_insert"
CREATE_INSERT_TABLE = (
    f"CREATE TABLE {INSERT_TABLE} (id bigserial PRIMARY KEY, email text NOT NULL, payload jsonb)"
)


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    """Parse an application's JSON body and store it with one plain INSERT."""
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (email, payload) VALUES (%s, %s) RETURNING id",
            [body["email"], json.dumps(body)],
        )
        [row_id] = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


class ValidatedInsert(APIView):
    """The application endpoint's request handling and validation, then one plain INSERT."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request) -> Response:
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {INSERT_TABLE} (email, payload) VALUES (%s, %s) RETURNING id",
                [data.validated_data["email"], json.dumps(request.data)],
            )
            [row_id] = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path("bench/insert/", insert),
    path("bench/validated-insert/", ValidatedInsert.as_view()),
    path("", include("backend.urls")),
]
