"""Every admin page an admin can reach opens: each model's list, its add form where adding is
allowed, and a student's change form with the coaches' caseload sizes."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.conftest import with_role
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: f"{m._meta.app_label}.{m._meta.model_name}"
)
def test_every_admin_list_and_add_form_opens(signed_in, model) -> None:
    info = (model._meta.app_label, model._meta.model_name)
    assert signed_in.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    add = signed_in.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code in (200, 403)


def test_a_students_coach_choices_show_caseload_sizes(signed_in) -> None:
    busy = with_role("coach", first_name="Casey", last_name="Busy")
    StudentFactory.create_batch(2, coach=busy)
    student = StudentFactory()
    page = signed_in.get(reverse("admin:enrollment_student_change", args=[student.pk]))
    assert page.status_code == 200
    assert "Casey Busy (2 active students)" in page.content.decode()
