"""`counting()`: the one definition of the logs that count toward progress and the pace flag."""

import pytest

from externships.models import HourLog, LogStatus, ProcedureLog
from tests.factories import ExternshipFactory, HourLogFactory, ProcedureLogFactory


@pytest.mark.django_db
def test_counting_logs_are_approved_and_not_replaced_by_an_approved_correction(
    django_assert_num_queries,
) -> None:
    externship = ExternshipFactory()
    kept = HourLogFactory(externship=externship)
    HourLogFactory(externship=externship, status=LogStatus.PENDING)
    HourLogFactory(externship=externship, status=LogStatus.REJECTED)
    replaced = HourLogFactory(externship=externship)
    correction = HourLogFactory(externship=externship, corrects=replaced, minutes=240)
    awaiting = HourLogFactory(externship=externship)  # its correction is still pending
    HourLogFactory(externship=externship, corrects=awaiting, status=LogStatus.PENDING)
    # One query: the logs, each checked for an approved correction in a subquery.
    with django_assert_num_queries(1):
        counting = set(HourLog.objects.counting())
    assert counting == {kept, correction, awaiting}


@pytest.mark.django_db
def test_procedure_logs_count_the_same_way() -> None:
    replaced = ProcedureLogFactory(count=5)
    correction = ProcedureLogFactory(externship=replaced.externship, corrects=replaced, count=4)
    ProcedureLogFactory(externship=replaced.externship, status=LogStatus.NEEDS_INFO)
    assert list(ProcedureLog.objects.counting()) == [correction]
