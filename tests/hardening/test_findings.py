"""What the access matrix and the bad-input sweep found, pinned one behaviour per test."""

import pytest

from tests.conftest import client_for
from tests.factories import StudentFactory


@pytest.mark.django_db
def test_it_refuses_leave_for_a_student_without_an_open_period(admin_user: object) -> None:
    # A student added by hand in the admin has no enrollment period; that was a 500.
    student = StudentFactory()
    response = client_for(admin_user).post(
        f"/api/v1/students/{student.pk}/leave/", {"reason": "Family"}
    )
    assert response.status_code == 409
    assert "no open enrollment period" in response.json()["detail"]


@pytest.mark.django_db
def test_it_asks_for_credentials_with_401(api: object) -> None:
    response = api.get("/api/v1/students/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
