import pytest

from tests.conftest import client_for
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def test_lists_are_paginated_and_page_size_is_capped_at_200(admin_user) -> None:
    CohortFactory.create_batch(3)
    body = client_for(admin_user).get("/api/v1/cohorts/?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    capped = client_for(admin_user).get("/api/v1/cohorts/?page_size=5000")
    assert capped.status_code == 200


def test_an_anonymous_caller_gets_401_or_403_json_on_a_staff_list(api) -> None:
    response = api.get("/api/v1/applications/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_a_page_past_the_end_is_a_404_not_a_500(api) -> None:
    assert api.get("/api/v1/programs/?page=99").status_code == 404
