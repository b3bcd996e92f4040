from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from enrollment.applying import application_submit
from enrollment.models import Status
from tests.factories import CohortFactory, applicant

pytestmark = pytest.mark.django_db


def test_the_periodic_command_expires_lapsed_offers(capsys) -> None:
    cohort = CohortFactory(capacity=1)
    application, _ = application_submit(cohort=cohort, **applicant(1))
    type(application).objects.filter(pk=application.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("periodic")
    application.refresh_from_db()
    assert application.status == Status.EXPIRED
    assert "expire_offers: 1" in capsys.readouterr().out
