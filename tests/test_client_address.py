"""One reading of the client's address (`backend.http.client_address`) for consent evidence,
throttles and idempotency keys: behind TRUSTED_PROXIES proxies, the X-Forwarded-For entry the
nearest proxy wrote; otherwise REMOTE_ADDR."""

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from backend.api import ApplyRateThrottle
from backend.http import client_address
from enrollment.models import ConsentRecord
from tests.enrollment.test_pages import form
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"
# What the client claimed itself, then what our one proxy appended: the client's address.
FORWARDED = f"198.51.100.99, {CLIENT}"


@pytest.fixture
def one_proxy(settings: object) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def behind_the_proxy(client_class: type[Client] = Client) -> Client:
    return client_class(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=FORWARDED)


def test_the_forms_consent_record_keeps_the_clients_address_behind_a_proxy(one_proxy) -> None:
    cohort = CohortFactory()
    response = behind_the_proxy().post(
        "/apply/phlebotomy/", {**form(cohort), "consent_email": "on"}
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.get().ip_address == CLIENT


def test_the_apis_consent_record_keeps_the_same_address(one_proxy) -> None:
    body = {**applicant(1), "cohort": CohortFactory().pk, "consent": {"email": True}}
    response = behind_the_proxy(APIClient).post("/api/v1/applications/", body, format="json")
    assert response.status_code == 201
    assert ConsentRecord.objects.get().ip_address == CLIENT


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored() -> None:
    cohort = CohortFactory()
    behind_the_proxy().post("/apply/phlebotomy/", {**form(cohort), "consent_email": "on"})
    assert ConsentRecord.objects.get().ip_address == PROXY


def test_throttles_count_each_client_behind_the_proxy_apart(one_proxy, monkeypatch) -> None:
    monkeypatch.setattr(ApplyRateThrottle, "THROTTLE_RATES", {"apply": "1/hour"})
    cohort = CohortFactory()
    assert behind_the_proxy().post("/apply/phlebotomy/", form(cohort, 1)).status_code == 302
    assert behind_the_proxy().post("/apply/phlebotomy/", form(cohort, 2)).status_code == 429
    # Another client through the same proxy has its own allowance.
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert (
        other.post("/apply/phlebotomy/", form(cohort, 3, phone="(202) 555-0177")).status_code == 302
    )


def test_the_throttles_and_idempotency_read_the_same_address(one_proxy) -> None:
    from backend.idempotency import _client

    request = RequestFactory().post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=FORWARDED)
    assert client_address(request) == CLIENT
    assert ApplyRateThrottle().get_ident(request) == CLIENT
    assert _client(request) == CLIENT


@pytest.mark.parametrize("forwarded", ["not-an-address", "", " , "])
def test_an_address_that_is_not_one_is_none(one_proxy, forwarded: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    expected = PROXY if forwarded == "" else None
    assert client_address(request) == expected
