"""The data steps of issue 14's migrations, run on today's models: old text consent also stands
for texts about the application, and the old default time zone is read as unknown."""

from importlib import import_module

import pytest
from django.apps import apps

from enrollment.models import ConsentRecord
from tests.factories import UserFactory
from tests.messaging.conftest import consent

pytestmark = pytest.mark.django_db
PHONE = "+12025550100"
carry = import_module("enrollment.migrations.0008_consent_channel_updates_sms")
forget = import_module("accounts.migrations.0003_time_zone_empty_when_unknown")


def test_each_old_text_consent_record_is_carried_to_updates_sms_once() -> None:
    given = consent("sms", PHONE)
    revoked = consent("sms", PHONE, granted=False)  # a STOP before the split
    consent("email", "pat@example.com")
    carry.carry_text_consent_to_updates(apps, None)
    carry.carry_text_consent_to_updates(apps, None)  # run again: nothing doubles
    copies = ConsentRecord.objects.filter(channel="updates_sms").order_by("at", "id")
    assert [(c.granted, c.disclosure_text, c.at) for c in copies] == [
        (True, given.disclosure_text, given.at),
        (False, revoked.disclosure_text, revoked.at),
    ]
    assert ConsentRecord.objects.filter(channel="sms").count() == 2  # the evidence stays


def test_the_old_default_zone_is_forgotten_and_a_chosen_one_kept() -> None:
    defaulted = UserFactory(time_zone="America/New_York")
    chose = UserFactory(time_zone="America/Chicago")
    forget.forget_the_old_default(apps, None)
    defaulted.refresh_from_db()
    chose.refresh_from_db()
    assert (defaulted.time_zone, chose.time_zone) == ("", "America/Chicago")
