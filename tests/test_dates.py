"""Dates and times as people read them (backend/dates.py and its template filters): US style,
the school's zone, the zone named where it could be misread."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from backend.dates import day, long_day, long_moment, moment, short_day, short_moment, time_of_day

# 2:30 p.m. in New York on Monday, February 1, 2027.
AFTERNOON = datetime(2027, 2, 1, 19, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def school_in_new_york(settings) -> None:
    settings.TIME_ZONE = "America/New_York"


def test_days_read_month_first_with_the_year() -> None:
    monday = date(2027, 2, 1)
    assert day(monday) == "February 1, 2027"
    assert long_day(monday) == "Monday, February 1, 2027"
    assert short_day(monday) == "Feb 1"
    assert short_day(monday, weekday=True) == "Mon, Feb 1"


def test_times_read_with_a_m_and_p_m() -> None:
    assert time_of_day(time(14, 30)) == "2:30 p.m."
    assert time_of_day(time(0, 5)) == "12:05 a.m."
    assert time_of_day(time(12, 0)) == "12:00 p.m."
    assert time_of_day(time(6, 0)) == "6:00 a.m."


def test_a_moment_reads_in_the_schools_zone() -> None:
    assert moment(AFTERNOON) == "February 1, 2027, 2:30 p.m."
    assert long_moment(AFTERNOON) == "Monday, February 1, 2027, 2:30 p.m."
    assert short_moment(AFTERNOON) == "Mon, Feb 1, 2:30 p.m."
    assert time_of_day(AFTERNOON) == "2:30 p.m."
    assert moment(AFTERNOON, zone=True) == "February 1, 2027, 2:30 p.m. EST"


def test_the_day_of_a_late_evening_is_the_schools_day_not_utcs() -> None:
    ten_pm = datetime(2027, 2, 2, 3, 0, tzinfo=UTC)  # 10 p.m. on February 1 in New York
    assert day(ten_pm) == "February 1, 2027"
    assert short_day(ten_pm, weekday=True) == "Mon, Feb 1"


def test_a_moment_written_in_someone_elses_zone_names_it() -> None:
    with timezone.override(ZoneInfo("Pacific/Honolulu")):
        assert long_moment(AFTERNOON, zone=True) == "Monday, February 1, 2027, 9:30 a.m. HST"
        assert short_moment(AFTERNOON, zone=True) == "Mon, Feb 1, 9:30 a.m. HST"


def test_the_template_filters_say_the_same() -> None:
    template = Template(
        "{% load dates %}{{ d|day }} / {{ d|long_day }} / {{ d|short_day:'weekday' }} / "
        "{{ dt|moment }} / {{ dt|long_moment:'zone' }} / {{ dt|short_moment }} / "
        "{{ t|time_of_day }} / [{{ missing|day }}]"
    )
    context = Context({"d": date(2027, 2, 1), "dt": AFTERNOON, "t": time(22, 0), "missing": None})
    assert template.render(context) == (
        "February 1, 2027 / Monday, February 1, 2027 / Mon, Feb 1 / "
        "February 1, 2027, 2:30 p.m. / Monday, February 1, 2027, 2:30 p.m. EST / "
        "Mon, Feb 1, 2:30 p.m. / 10:00 p.m. / []"
    )


def test_a_moment_for_a_time_elements_datetime_is_whole_seconds_in_the_schools_zone() -> None:
    # HTML allows at most three digits of a second in `<time datetime>`; Django's "c" writes six.
    template = Template("{% load dates %}{{ dt|iso_moment }}")
    at = AFTERNOON.replace(second=5, microsecond=123456)
    assert template.render(Context({"dt": at})) == "2027-02-01T14:30:05-05:00"


def test_a_filter_refuses_a_flag_it_does_not_know() -> None:
    template = Template("{% load dates %}{{ dt|moment:'utc' }}")
    with pytest.raises(TemplateSyntaxError):
        template.render(Context({"dt": AFTERNOON}))
