import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_user_trades_email_and_password_for_a_token_that_works(api, coach: User) -> None:
    response = api.post(
        "/api/v1/auth/token/", {"email": "COACH@school.test", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/applications/").status_code == 200


def test_a_wrong_password_gets_no_token(api, coach: User) -> None:
    response = api.post("/api/v1/auth/token/", {"email": "coach@school.test", "password": "nope"})
    assert response.status_code == 400
    assert "Unable to sign in" in response.json()["non_field_errors"][0]


def test_missing_fields_are_named(api) -> None:
    response = api.post("/api/v1/auth/token/", {})
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_an_inactive_user_gets_no_token(api, coach: User) -> None:
    coach.is_active = False
    coach.save()
    response = api.post(
        "/api/v1/auth/token/", {"email": "coach@school.test", "password": "correct-horse-battery"}
    )
    assert response.status_code == 400
