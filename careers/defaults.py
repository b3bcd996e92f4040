"""Published reference pay for the programs' occupations, as data (PRODUCT.md, "Certification,
careers and placement"). Every number is editable in the admin afterwards."""

from django.db import transaction

from careers.models import ReferencePay
from enrollment.models import Program, Track

MEDICAL_ASSISTANTS_2023 = {
    "year": 2023,
    "annual_median_cents": 4_200_000,
    "hourly_median_cents": 2019,
    "annual_p10_cents": 3_350_000,
    "annual_p90_cents": 5_648_000,
    "source": "U.S. Bureau of Labor Statistics, Occupational Outlook Handbook, Medical Assistants "
    "(May 2023)",
    "source_url": "https://www.bls.gov/ooh/healthcare/medical-assistants.htm",
}

DEFAULT_REFERENCE_PAY: dict[str, list[dict]] = {
    Track.MEDICAL_ASSISTANT: [MEDICAL_ASSISTANTS_2023],
}


def install_reference_pay() -> list[ReferencePay]:
    """Give every program of a track with published figures its reference pay; running it again
    changes nothing (a year already on record is left as the school edited it)."""
    installed = []
    with transaction.atomic():
        for program in Program.objects.filter(track__in=DEFAULT_REFERENCE_PAY):
            for figures in DEFAULT_REFERENCE_PAY[program.track]:
                pay, _ = ReferencePay.objects.get_or_create(
                    program=program,
                    year=figures["year"],
                    defaults={k: v for k, v in figures.items() if k != "year"},
                )
                installed.append(pay)
    return installed
