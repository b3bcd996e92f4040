"""The published pay that placements are compared with, installed as data."""

import pytest

from careers.defaults import install_reference_pay
from careers.models import ReferencePay
from enrollment.models import Track
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_medical_assistants_get_the_2023_bls_figures() -> None:
    program = ProgramFactory(
        slug="medical-assistant", name="Medical Assistant", track=Track.MEDICAL_ASSISTANT
    )
    ProgramFactory()  # phlebotomy: no published figures here
    install_reference_pay()
    pay = ReferencePay.objects.get()
    assert (pay.program, pay.year) == (program, 2023)
    assert (pay.annual_median_cents, pay.hourly_median_cents) == (4_200_000, 2019)
    assert (pay.annual_p10_cents, pay.annual_p90_cents) == (3_350_000, 5_648_000)
    assert pay.source == (
        "U.S. Bureau of Labor Statistics, Occupational Outlook Handbook, Medical Assistants "
        "(May 2023)"
    )


def test_installing_again_changes_nothing_the_school_edited() -> None:
    ProgramFactory(
        slug="medical-assistant", name="Medical Assistant", track=Track.MEDICAL_ASSISTANT
    )
    install_reference_pay()
    ReferencePay.objects.update(hourly_median_cents=2100)
    install_reference_pay()
    assert list(ReferencePay.objects.values_list("hourly_median_cents", flat=True)) == [2100]


def test_with_no_medical_assistant_program_nothing_is_installed() -> None:
    ProgramFactory()
    assert install_reference_pay() == []
    assert not ReferencePay.objects.exists()
