"""How an applicant hears about their application: the unchecked "Text me about my application"
box (form and API), recorded with its own disclosure, and the status page saying truthfully how an
offer will reach them (always by email; by text only while that consent is live)."""

import pytest

from enrollment.applying import application_submit
from enrollment.consent import DISCLOSURE_VERSION, disclosure
from enrollment.models import ConsentRecord, Status
from messaging.consent import ConsentChannel
from messaging.services import receive_text
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db


def test_the_form_has_its_own_unchecked_box_for_texts_about_the_application(client) -> None:
    CohortFactory()
    page = client.get("/apply/phlebotomy/").content.decode()
    assert 'name="consent_updates_sms"' in page
    assert "checked" not in page
    assert "Text me about my application." in page
    assert page.index("consent_updates_sms") < page.index('name="consent_sms"')
    assert "we will still process your application and email you about it" in page


def test_the_form_records_the_updates_box_with_its_exact_disclosure(client) -> None:
    cohort = CohortFactory()
    client.post(
        "/apply/phlebotomy/",
        {
            "cohort": cohort.pk,
            "first_name": "Robin",
            "last_name": "Lee",
            "email": "robin@example.com",
            "phone": "(808) 555-0188",
            "date_of_birth_day": "3",
            "date_of_birth_month": "2",
            "date_of_birth_year": "1999",
            "education": "ged",
            "consent_updates_sms": "on",
        },
    )
    [record] = ConsentRecord.objects.all()
    assert (record.channel, record.address) == (ConsentChannel.UPDATES_SMS, "+18085550188")
    assert record.disclosure_text == disclosure(ConsentChannel.UPDATES_SMS)
    assert record.disclosure_version == DISCLOSURE_VERSION
    assert record.source_page.endswith("/apply/phlebotomy/")


def test_the_api_takes_updates_sms_apart_from_marketing_consent(api) -> None:
    cohort = CohortFactory()
    body = {**applicant(4, consent={"updates_sms": True}), "cohort": cohort.pk}
    assert api.post("/api/v1/applications/", body, format="json").status_code == 201
    [record] = ConsentRecord.objects.all()
    assert record.channel == "updates_sms"
    assert "about my own application" in record.disclosure_text
    assert "Reply STOP to stop" in record.disclosure_text


def test_the_marketing_disclosures_describe_marketing() -> None:
    for channel in (ConsentChannel.SMS, ConsentChannel.EMAIL, ConsentChannel.PHONE):
        words = disclosure(channel)
        assert "news about its programs" in words
        assert "not a condition of applying" in words
        assert "my application" not in words


def status_page(client, application) -> str:
    return client.get(f"/status/{application.status_token}/").content.decode()


def waitlisted(n: int, **consent: bool):
    cohort = CohortFactory(capacity=0)
    application, _ = application_submit(cohort=cohort, **applicant(n, consent=consent))
    assert application.status == Status.WAITLISTED
    return application


def test_the_status_page_says_an_offer_comes_by_email_only_without_the_box(client) -> None:
    application = waitlisted(1, sms=True)  # marketing texts are not texts about the offer
    page = status_page(client, application)
    assert f"by email to <strong>{application.email}</strong>" in page
    assert "by text to" not in page
    assert "We do not text you" in page


def test_the_status_page_names_the_number_when_texts_about_the_application_are_on(
    client,
) -> None:
    application = waitlisted(2, updates_sms=True)
    page = status_page(client, application)
    assert f"by email to <strong>{application.email}</strong>" in page
    assert "by text to <strong>(202) 555-0002</strong>" in page
    receive_text(from_number=str(application.phone), body="STOP")
    page = status_page(client, application)
    assert "by text to" not in page
    assert "you replied STOP" in page


def test_a_closed_application_says_nothing_about_offers(client) -> None:
    application = waitlisted(3, updates_sms=True)
    type(application).objects.filter(pk=application.pk).update(status=Status.WITHDRAWN)
    assert "We tell you of an offer" not in status_page(client, application)
