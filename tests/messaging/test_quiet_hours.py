"""Texts go only from 8:00 to 20:59 in the recipient's zone (on record, else the area code's, else
the school's); outside, they wait until 8:00. Marketing texts to Florida and Oklahoma area codes
stop at 20:00."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from messaging import delivery, services, texting_hours
from messaging.models import MessageChannel, MessageStatus, Purpose
from messaging.texting_hours import recipient_zone, window_opening
from tests.factories import UserFactory
from tests.messaging.conftest import consent

NEW_YORK, LOS_ANGELES = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
HONOLULU = ZoneInfo("Pacific/Honolulu")
PHONE = "+12025550100"
HAWAII_PHONE = "+18085550100"


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "opens"),
    [
        ((2026, 6, 10, 7, 59), utc(2026, 6, 10, 12, 0)),  # 7:59 waits for 8:00 EDT
        ((2026, 6, 10, 8, 0), None),  # 8:00 goes
        ((2026, 6, 10, 20, 59, 59), None),  # 20:59 goes
        ((2026, 6, 10, 21, 0), utc(2026, 6, 11, 12, 0)),  # 21:00 waits for tomorrow 8:00
        ((2026, 6, 10, 0, 30), utc(2026, 6, 10, 12, 0)),  # after midnight: this morning
    ],
)
def test_the_window_edges(local, opens) -> None:
    assert window_opening(at(NEW_YORK, *local), NEW_YORK) == opens


def test_the_window_follows_the_clock_on_the_march_switch_in_new_york() -> None:
    # 8 March 2026, clocks go 2:00 EST -> 3:00 EDT: 8:00 is 12:00 UTC, not 13:00.
    assert window_opening(utc(2026, 3, 8, 11, 59), NEW_YORK) == utc(2026, 3, 8, 12, 0)
    assert window_opening(utc(2026, 3, 8, 12, 0), NEW_YORK) is None
    # 21:30 EST the evening before waits until 8:00 EDT, ten and a half hours of clock later.
    assert window_opening(utc(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 12, 0)
    # The window closes at 21:00 EDT, 1:00 UTC.
    assert window_opening(utc(2026, 3, 9, 0, 59), NEW_YORK) is None
    assert window_opening(utc(2026, 3, 9, 1, 0), NEW_YORK) == utc(2026, 3, 9, 12, 0)


def test_the_window_follows_the_clock_on_the_november_switch_in_new_york() -> None:
    # 1 November 2026, clocks go 2:00 EDT -> 1:00 EST: 8:00 is 13:00 UTC.
    assert window_opening(utc(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 13, 0)
    assert window_opening(utc(2026, 11, 1, 12, 59), NEW_YORK) == utc(2026, 11, 1, 13, 0)
    assert window_opening(utc(2026, 11, 1, 13, 0), NEW_YORK) is None
    # 20:59 EST is 1:59 UTC the next day; 21:00 EST waits for 8:00 EST.
    assert window_opening(utc(2026, 11, 2, 1, 59), NEW_YORK) is None
    assert window_opening(utc(2026, 11, 2, 2, 0), NEW_YORK) == utc(2026, 11, 2, 13, 0)


def test_los_angeles_and_honolulu_keep_their_own_hours() -> None:
    noon_in_new_york = utc(2026, 3, 9, 16, 0)  # 9:00 in LA, 6:00 in Honolulu (no DST there)
    assert window_opening(noon_in_new_york, LOS_ANGELES) is None
    assert window_opening(noon_in_new_york, HONOLULU) == utc(2026, 3, 9, 18, 0)
    # 20:30 in LA on the switch day is 23:30 in New York: LA may still be texted.
    assert window_opening(at(LOS_ANGELES, 2026, 3, 8, 20, 30), LOS_ANGELES) is None
    assert window_opening(at(LOS_ANGELES, 2026, 3, 8, 20, 30), NEW_YORK) is not None


@pytest.mark.django_db
def test_a_text_outside_the_window_waits_in_the_recipients_zone(texts) -> None:
    consent("updates_sms", PHONE)
    in_honolulu = UserFactory(time_zone="Pacific/Honolulu")
    message = services.queue(
        channel=MessageChannel.SMS, address=PHONE, kind="t", body="hi", recipient=in_honolulu
    )
    # 9:00 in New York is 3:00 in Honolulu.
    delivery.deliver(message, now=utc(2026, 3, 9, 13, 0))
    assert (message.status, message.send_after) == (MessageStatus.WAITING, utc(2026, 3, 9, 18, 0))
    assert "Pacific/Honolulu" in message.reason
    assert texts == []


@pytest.mark.django_db
def test_an_808_number_with_no_zone_on_record_waits_for_8_in_hawaii(texts) -> None:
    new_student = UserFactory(phone=HAWAII_PHONE)
    assert new_student.time_zone == ""  # nobody told us where they are
    consent("updates_sms", HAWAII_PHONE)
    message = services.queue(
        channel=MessageChannel.SMS,
        address=HAWAII_PHONE,
        kind="t",
        body="hi",
        recipient=new_student,
    )
    # 22:00 in New York, the school's zone, is 17:00 in Honolulu: it may go.
    delivery.deliver(message, now=utc(2026, 3, 10, 3, 0))
    assert message.status == MessageStatus.SENT
    late = services.queue(channel=MessageChannel.SMS, address=HAWAII_PHONE, kind="t", body="hi")
    # 8:00 in New York is 3:00 in Honolulu: it waits for 8:00 there.
    delivery.deliver(late, now=utc(2026, 3, 9, 13, 0))
    assert (late.status, late.send_after) == (MessageStatus.WAITING, utc(2026, 3, 9, 18, 0))
    assert "Pacific/Honolulu" in late.reason
    assert delivery.flush(now=utc(2026, 3, 9, 17, 59)) == 0
    assert delivery.flush(now=utc(2026, 3, 9, 18, 0)) == 1
    assert [t.to for t in texts] == [HAWAII_PHONE, HAWAII_PHONE]


@pytest.mark.django_db
def test_the_zone_on_record_comes_before_the_area_code() -> None:
    in_chicago = UserFactory(time_zone="America/Chicago")
    assert recipient_zone(in_chicago, HAWAII_PHONE) == ZoneInfo("America/Chicago")
    assert recipient_zone(UserFactory(), HAWAII_PHONE) == HONOLULU
    assert recipient_zone(None, "+12125550100") == NEW_YORK


def test_an_area_code_with_several_zones_gives_the_same_one_every_time(settings) -> None:
    idaho = "+12085550100"  # America/Boise and America/Los_Angeles
    settings.TIME_ZONE = "America/New_York"
    assert texting_hours.number_zone(idaho) == ZoneInfo("America/Boise")  # first by name
    settings.TIME_ZONE = "America/Los_Angeles"
    assert texting_hours.number_zone(idaho) == LOS_ANGELES  # the school's, when it is one
    assert texting_hours.number_zone("not a number") is None


@pytest.mark.django_db
def test_without_a_zone_on_record_or_from_the_number_the_schools_zone_decides(
    settings, texts
) -> None:
    settings.TIME_ZONE = "America/Los_Angeles"
    toll_free = "+18005550100"  # every North American zone: the school's is one of them
    consent("updates_sms", toll_free)
    message = services.queue(channel=MessageChannel.SMS, address=toll_free, kind="t", body="hi")
    delivery.deliver(message, now=utc(2026, 3, 9, 14, 59))  # 7:59 in LA
    assert message.status == MessageStatus.WAITING
    delivery.deliver(message, now=utc(2026, 3, 9, 15, 0))  # 8:00 in LA
    assert message.status == MessageStatus.SENT
    assert [t.to for t in texts] == [toll_free]


@pytest.mark.django_db
def test_email_ignores_the_window(mailoutbox) -> None:
    consent("email", "pat@example.com")
    message = services.queue(
        channel=MessageChannel.EMAIL, address="pat@example.com", kind="t", subject="s", body="b"
    )
    delivery.deliver(message, now=utc(2026, 3, 9, 7, 0))  # 3:00 in New York
    assert message.status == MessageStatus.SENT
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("number", "purpose", "waits"),
    [
        ("+13055550100", Purpose.MARKETING, True),  # Miami, Florida: marketing until 20:00
        ("+19185550100", Purpose.MARKETING, True),  # Tulsa, Oklahoma
        ("+12125550100", Purpose.MARKETING, False),  # New York: until 21:00
        ("+13055550100", Purpose.PROGRAM, False),  # about the application: until 21:00
    ],
)
@pytest.mark.django_db
def test_marketing_texts_to_florida_and_oklahoma_stop_at_8_pm(number, purpose, waits) -> None:
    consent("sms", number)
    consent("updates_sms", number)
    message = services.queue(
        channel=MessageChannel.SMS, address=number, kind="t", body="hi", purpose=purpose
    )
    zone = recipient_zone(None, number)
    delivery.deliver(message, now=at(zone, 2026, 6, 10, 20, 30))
    assert (message.status == MessageStatus.WAITING) is waits
    if waits:
        assert message.send_after == at(zone, 2026, 6, 11, 8, 0)
        assert "8 a.m.-8 p.m." in message.reason
