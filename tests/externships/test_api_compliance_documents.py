"""Compliance documents over the API: an admin records a student's document (as in the Django
admin, by the model's own rules) and lists them; the document then counts for placements, and
its history keeps who recorded it.

The cast: an admin (records and lists), the student's coach and the student (neither: coaches
see documents on the student's page), and someone signed out."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from externships.models import ComplianceDocument, DocumentKind
from tests.conftest import client_for
from tests.factories import (
    ComplianceDocumentFactory,
    ProgramFactory,
    SiteFactory,
    StudentFactory,
    complete_documents,
)

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/compliance-documents/"


def day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def learner(student, coach):
    return StudentFactory(user=student, coach=coach, cohort__program=ProgramFactory())


def test_a_recorded_document_lets_the_student_be_placed(admin_user, learner, supervisor) -> None:
    complete_documents(learner)
    learner.documents.filter(kind=DocumentKind.TB_TEST).delete()
    site = SiteFactory(programs=[learner.cohort.program], supervisors=[supervisor])
    client = client_for(admin_user)
    placement = {
        "student": learner.pk,
        "site": site.pk,
        "supervisor": supervisor.pk,
        "starts_on": day(7),
        "ends_on": day(37),
    }
    refused = client.post("/api/v1/externships/", placement, format="json")

    recorded = client.post(
        DOCUMENTS,
        {"student": learner.pk, "kind": "tb_test", "received_on": day(-3), "expires_on": day(362)},
        format="json",
    )
    placed = client.post("/api/v1/externships/", placement, format="json")

    assert refused.json()["student"] == ["Missing or expired on the start date: TB test."]
    assert recorded.status_code == 201, recorded.json()
    body = recorded.json()
    assert {k: body[k] for k in ("student", "kind", "received_on", "expires_on")} == {
        "student": learner.pk,
        "kind": "tb_test",
        "received_on": day(-3),
        "expires_on": day(362),
    }
    assert body["verified_by"] == admin_user.pk  # who recorded it
    assert placed.status_code == 201
    document = ComplianceDocument.objects.get(pk=body["id"])
    assert [(e.history_type, e.history_user) for e in document.audit_trail.all()] == [
        ("+", admin_user)
    ]


def test_the_admin_lists_a_document_recorded_through_the_api(admin_user, learner) -> None:
    response = client_for(admin_user).post(
        DOCUMENTS, {"student": learner.pk, "kind": "cpr_bls", "received_on": day(0)}, format="json"
    )
    page = Client()
    page.force_login(admin_user)

    listed = page.get("/admin/externships/compliancedocument/").content.decode()

    assert response.json()["expires_on"] is None  # never expires
    assert "CPR/BLS" in listed
    assert str(learner) in listed


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"expires_on": day(-10)},
            "expires_on",
            "A document cannot expire before it was received.",
        ),
        ({"received_on": day(1)}, "received_on", "A document cannot be received after today."),
        ({"kind": "flu_shot"}, "kind", '"flu_shot" is not a valid choice.'),
        ({"student": 999999}, "student", 'Invalid pk "999999" - object does not exist.'),
        ({"received_on": "yesterday"}, "received_on", None),
    ],
)
def test_a_document_that_breaks_a_rule_is_a_field_error_and_nothing_is_recorded(
    admin_user, learner, change, field, message
) -> None:
    body = {"student": learner.pk, "kind": "tb_test", "received_on": day(-2), **change}

    answer = client_for(admin_user).post(DOCUMENTS, body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    if message:
        assert answer.json()[field] == [message]
    assert not ComplianceDocument.objects.exists()


def test_the_list_filters_by_student_kind_and_expiry(admin_user, learner) -> None:
    other = StudentFactory(cohort=learner.cohort)
    soon = ComplianceDocumentFactory(student=learner, kind="tb_test", expires_on=day(20))
    later = ComplianceDocumentFactory(student=learner, kind="cpr_bls", expires_on=day(400))
    theirs = ComplianceDocumentFactory(student=other, kind="tb_test", expires_on=day(25))
    client = client_for(admin_user)

    def ids(query: dict) -> set[int]:
        return {d["id"] for d in client.get(DOCUMENTS, query).json()["results"]}

    assert ids({"student": learner.pk}) == {soon.pk, later.pk}
    assert ids({"kind": "tb_test"}) == {soon.pk, theirs.pk}
    assert ids({"expires_before": day(30)}) == {soon.pk, theirs.pk}
    assert ids({"expires_after": day(30), "program": "phlebotomy"}) == {later.pk}
    assert client.get(DOCUMENTS, {"kind": "flu_shot"}).status_code == 400
    assert client.get(f"{DOCUMENTS}{soon.pk}/").json()["student_name"] == str(learner.user)


def test_only_admins_record_or_read_documents(api, learner, coach, student) -> None:
    document = ComplianceDocumentFactory(student=learner)
    body = {"student": learner.pk, "kind": "tb_test", "received_on": day(-2)}
    for client, code in ((api, 401), (client_for(coach), 403), (client_for(student), 403)):
        assert client.post(DOCUMENTS, body, format="json").status_code == code
        assert client.get(DOCUMENTS).status_code == code
        assert client.get(f"{DOCUMENTS}{document.pk}/").status_code == code
    assert ComplianceDocument.objects.count() == 1


def test_the_list_costs_the_same_queries_for_2_or_20_documents(
    admin_user, django_assert_num_queries
) -> None:
    for count in (2, 20):
        for _ in range(count - ComplianceDocument.objects.count()):
            ComplianceDocumentFactory()
        client = client_for(User.objects.get(pk=admin_user.pk))
        # the user's roles, the count, the page with its students' names
        with django_assert_num_queries(3):
            assert client.get(DOCUMENTS).json()["count"] == count
