"""The apply_burst server's URLs: the project's, plus the baseline `POST /bench/insert/`."""

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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


urlpatterns = [path("bench/insert/", insert), path("", include("backend.urls"))]
