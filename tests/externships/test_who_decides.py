"""Who may decide a clinical log: the rule (`externships.deciders`), the API, the /review/ pages
and the signed links give one answer for each person.

The cast, around one pending shift of `learner` at `site`:
- supervisor: supervises at the site; decides (API, page, link).
- other_supervisor: supervises at another site only; the log is unknown to them (404).
- coach: the learner's coach; decides through the API and a link. /review/ is the supervisor's
  desk, so it is 403 for every coach (tests/hardening/access_table.py).
- other_coach: coaches someone else; 404 on the API, 403 on the page.
- admin: decides everything, everywhere.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from externships.deciders import can_decide, decidable_logs
from externships.models import HourLog, LogStatus
from externships.review_links import review_link_token
from tests.conftest import client_for, with_role
from tests.factories import ExternshipFactory, HourLogFactory, SiteFactory, StudentFactory

pytestmark = pytest.mark.django_db

# (rule, API approve, /review/ list, /review/ approve, signed link) for each of the cast.
EXPECTED = {
    "supervisor": (True, 200, True, 302, 200),
    "other_supervisor": (False, 404, False, 404, 403),
    "coach": (True, 200, False, 403, 200),
    "other_coach": (False, 404, False, 403, 403),
    "admin": (True, 200, True, 302, 200),
}


@pytest.fixture
def cast() -> dict[str, User]:
    return {
        "supervisor": with_role(Role.SUPERVISOR),
        "other_supervisor": with_role(Role.SUPERVISOR),
        "coach": with_role(Role.COACH),
        "other_coach": with_role(Role.COACH),
        "admin": with_role(Role.ADMIN),
    }


def pending_shift(cast: dict[str, User], days_ago: int) -> HourLog:
    externship = ExternshipFactory(
        student=StudentFactory(coach=cast["coach"]),
        site=SiteFactory(supervisors=[cast["supervisor"]]),
        supervisor=cast["supervisor"],
    )
    SiteFactory(supervisors=[cast["other_supervisor"]])
    StudentFactory(coach=cast["other_coach"])
    day = timezone.localdate() - timedelta(days=days_ago)
    return HourLogFactory(externship=externship, date=day, status=LogStatus.PENDING)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", EXPECTED)
def test_the_rule_the_api_the_review_page_and_the_link_agree(
    cast: dict[str, User], who: str
) -> None:
    user = cast[who]
    by_api, on_page, by_link = (pending_shift(cast, days_ago=n) for n in (1, 2, 3))

    rule = can_decide(user, by_api)
    assert rule == decidable_logs(user, HourLog).filter(pk=by_api.pk).exists()
    api = client_for(user).post(f"/api/v1/hour-logs/{by_api.pk}/approve/").status_code
    listed = f'id="log-hour-{on_page.pk}"' in signed_in(user).get("/review/").content.decode()
    page = (
        signed_in(user)
        .post(f"/review/hour/{on_page.pk}/", {f"hour-{on_page.pk}-decision": "approved"})
        .status_code
    )
    link = Client().get(f"/review/link/{review_link_token(by_link, user)}/").status_code

    assert (rule, api, listed, page, link) == EXPECTED[who]
    # Only what was let through changed.
    approved = HourLog.objects.filter(status=LogStatus.APPROVED).values_list("pk", flat=True)
    let_through = {
        log.pk for log, answer in ((by_api, api), (on_page, page)) if answer in (200, 302)
    }
    assert set(approved) == let_through
