"""The default clinical requirements of the four programs, as data.

Each program starts on one edition (PRODUCT.md, "The programs"; domain rules section 2). Every
number is editable in the admin afterwards; a new edition is a new `RequirementSet`, and students
keep the edition they started on. The shapes of `params` are those of `externships.rules`.
"""

from django.db import transaction

from enrollment.models import Program, Track
from externships.models import Requirement, RequirementKind, RequirementSet

MEDICAL_ASSISTANT_COMPETENCIES = [
    "Vital signs",
    "Injections",
    "Specimen collection",
    "EHR entry",
    "Patient intake",
    "Infection control",
]

DEFAULT_REQUIREMENTS: dict[str, dict] = {
    Track.MEDICAL_ASSISTANT: {
        "edition": "CAAHEP Standards 2022 (III.C.3)",
        "source": "CAAHEP/MAERB Standard III.C.3: a practicum of at least 160 contact hours in an "
        "ambulatory healthcare setting, performing the clinical and administrative competencies "
        "of the MAERB core curriculum.",
        "requirements": [
            (RequirementKind.HOURS, "Externship hours", {"hours": 160}),
            (
                RequirementKind.COMPETENCIES,
                "Competency checklist",
                {"items": MEDICAL_ASSISTANT_COMPETENCIES},
            ),
        ],
    },
    Track.PHARMACY_TECHNICIAN: {
        "edition": "School default",
        "source": "School policy: 120 externship hours in a pharmacy practice setting (the "
        "ASHP/ACPE entry-level and advanced minimums are to be confirmed per program).",
        "requirements": [
            (RequirementKind.HOURS, "Externship hours", {"hours": 120}),
        ],
    },
    Track.PHLEBOTOMY: {
        "edition": "NHA CPT",
        "source": "NHA Certified Phlebotomy Technician eligibility: 30 successful venipunctures "
        "and 10 successful capillary or finger sticks on live people.",
        "requirements": [
            (
                RequirementKind.PROCEDURES,
                "Successful venipunctures",
                {"procedure": "venipuncture", "count": 30, "noun": "venipuncture"},
            ),
            (
                RequirementKind.PROCEDURES,
                "Successful capillary or finger sticks",
                {"procedure": "capillary_stick", "count": 10, "noun": "capillary or finger stick"},
            ),
        ],
    },
    Track.SURGICAL_TECHNOLOGIST: {
        "edition": "Core Curriculum 6th ed.",
        "source": "Core Curriculum for Surgical Technology, 6th ed.: 120 cases, at least 80 first "
        "scrub (second scrub counts for at most 40); general surgery 30 (20 first scrub); other "
        "specialties 90 (60 first scrub) with 10 first scrub cases in each of at least 4 "
        "specialties; observation is logged but never counted.",
        "requirements": [
            (
                RequirementKind.SURGICAL_CASES,
                "Surgical case requirements",
                {
                    "total": 120,
                    "first_scrub": 80,
                    "second_scrub_max": 40,
                    "general": {"total": 30, "first_scrub": 20},
                    "specialties": {
                        "total": 90,
                        "first_scrub": 60,
                        "count": 4,
                        "each_first_scrub": 10,
                    },
                },
            ),
        ],
    },
}


def install_default_requirements(program: Program) -> RequirementSet:
    """The program's current requirement set; when it has none, its default edition is created
    (or, if that edition exists but is not current, made current again). Safe to call repeatedly.
    """
    with transaction.atomic():
        current = program.requirement_sets.filter(is_current=True).first()
        if current is not None:
            return current
        try:
            spec = DEFAULT_REQUIREMENTS[program.track]
        except KeyError:
            raise ValueError(f"No default requirements for the {program.track!r} track.") from None
        requirement_set, created = RequirementSet.objects.get_or_create(
            program=program,
            edition=spec["edition"],
            defaults={"source": spec["source"], "is_current": True},
        )
        if created:
            Requirement.objects.bulk_create(
                Requirement(
                    requirement_set=requirement_set,
                    kind=kind,
                    label=label,
                    params=params,
                    position=position,
                )
                for position, (kind, label, params) in enumerate(spec["requirements"], start=1)
            )
        elif not requirement_set.is_current:
            requirement_set.is_current = True
            requirement_set.save(update_fields=["is_current"])
        return requirement_set
