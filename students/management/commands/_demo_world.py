"""The demo school as data: its programs, cohorts, people, externship sites and the history of
the students of earlier cohorts (their documents, placements and logs), read by `seed_demo`."""

from dataclasses import dataclass, field
from datetime import date

from enrollment.models import Track
from externships.models import DocumentKind, ProcedureKind, ScrubRole, SiteKind

PROGRAMS = [
    {
        "slug": "medical-assistant",
        "name": "Medical Assistant",
        "track": Track.MEDICAL_ASSISTANT,
        "duration_weeks": 17,
        "delivery": "100% online, then in-person clinical hours",
        "credential": "NHA CCMA",
        "clinical_requirement": "160 externship hours in an outpatient setting (CAAHEP III.C.3) "
        "and a competency checklist.",
    },
    {
        "slug": "pharmacy-technician",
        "name": "Pharmacy Technician",
        "track": Track.PHARMACY_TECHNICIAN,
        "duration_weeks": 17,
        "delivery": "100% online, then in-person externship",
        "credential": "NHA ExCPT (CPhT)",
        "clinical_requirement": "120 externship hours.",
    },
    {
        "slug": "phlebotomy",
        "name": "Phlebotomy",
        "track": Track.PHLEBOTOMY,
        "duration_weeks": 4,
        "delivery": "100% online, evening classes",
        "credential": "NHA CPT",
        "clinical_requirement": "30 successful venipunctures and 10 capillary or finger sticks "
        "on live people.",
    },
    {
        "slug": "surgical-technologist",
        "name": "Surgical Technologist",
        "track": Track.SURGICAL_TECHNOLOGIST,
        "duration_weeks": 17,
        "delivery": "Online course, then clinical cases; prior hospital work experience encouraged",
        "credential": "NCCT TS-C",
        "clinical_requirement": "120 surgical cases, at least 80 as first scrub, across general "
        "surgery and at least 4 other specialties (Core Curriculum 6th ed.).",
    },
]

# program slug: (capacity, applicants, of whom accepted)
COHORTS = {
    "medical-assistant": (24, 9, 6),
    "pharmacy-technician": (20, 5, 3),
    "phlebotomy": (16, 14, 10),
    "surgical-technologist": (12, 17, 10),
}

FIRST = [
    "Alex",
    "Blair",
    "Cameron",
    "Devon",
    "Emerson",
    "Finley",
    "Gray",
    "Harper",
    "Indy",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
]
LAST = ["Nguyen", "Garcia", "Smith", "Johnson", "Patel", "Brown", "Lee", "Martinez", "Davis"]


# Externship sites: one of each kind, all supervised by the demo supervisor.
SITES = [
    {
        "name": "Riverside Family Clinic",
        "kind": SiteKind.CLINIC,
        "address": "120 Riverside Drive, Springfield",
        "capacity": 4,
        "programs": ["medical-assistant", "phlebotomy"],
    },
    {
        "name": "Mercy General Hospital",
        "kind": SiteKind.HOSPITAL,
        "address": "1 Mercy Way, Springfield",
        "capacity": 6,
        "programs": ["medical-assistant", "phlebotomy", "surgical-technologist"],
    },
    {
        "name": "Main Street Pharmacy",
        "kind": SiteKind.PHARMACY,
        "address": "48 Main Street, Springfield",
        "capacity": 2,
        "programs": ["pharmacy-technician"],
    },
    {
        "name": "Northside Diagnostic Lab",
        "kind": SiteKind.LAB,
        "address": "900 North Avenue, Springfield",
        "capacity": 3,
        "programs": ["phlebotomy"],
    },
    {
        "name": "Lakeside Surgery Center",
        "kind": SiteKind.SURGERY_CENTER,
        "address": "15 Lakeshore Boulevard, Springfield",
        "capacity": 3,
        "programs": ["surgical-technologist"],
    },
]

FS, SS, OBS = ScrubRole.FIRST_SCRUB, ScrubRole.SECOND_SCRUB, ScrubRole.OBSERVATION


@dataclass(frozen=True)
class Placement:
    site: str
    starts: int  # days from today (negative: in the past)
    ends: int
    completed: bool = False


@dataclass(frozen=True)
class DemoStudent:
    """A student of an earlier cohort and where they stand: hours are weekday shifts of eight
    hours (the newest `pending` ones still await sign-off); procedures are (kind, count,
    successful, specialty, role, competency, approved) on consecutive days from the start."""

    email: str
    first_name: str
    last_name: str
    placement: Placement | None = None
    documents: bool = True
    shifts: bool = False
    pending: int = 0
    needs_info: int = 0
    procedures: list[tuple] = field(default_factory=list)
    expiring: str = ""  # a document kind that expires within the reminder window


def cases(specialty: str, role: str, count: int, approved: bool = True) -> list[tuple]:
    """A run of surgical cases, at most ten a day."""
    return [
        (ProcedureKind.SURGICAL_CASE, min(10, count - n), True, specialty, role, "", approved)
        for n in range(0, count, 10)
    ]


def competency(name: str, approved: bool = True) -> tuple:
    return (ProcedureKind.COMPETENCY, 1, True, "", "", name, approved)


def sticks(kind: str, count: int, successful: bool = True) -> tuple:
    return (kind, count, successful, "", "", "", True)


# Students of earlier cohorts, months before today, at every stage. The surgical technologist's
# log book meets every rule but one: 52 of the 60 first-scrub specialty cases.
HISTORY = {
    "medical-assistant": (
        -5,
        [
            DemoStudent(
                "student@demo.pathway",
                "Sam",
                "Student",
                Placement("Riverside Family Clinic", starts=-21, ends=35),
                shifts=True,
                pending=2,
                needs_info=1,
                procedures=[
                    competency("Vital signs"),
                    competency("Patient intake"),
                    competency("Injections", approved=False),
                ],
                expiring=DocumentKind.CPR_BLS,
            ),
            DemoStudent(
                "harper.completed@example.com",
                "Harper",
                "Okafor",
                Placement("Mercy General Hospital", starts=-75, ends=-45, completed=True),
                shifts=True,
                procedures=[
                    competency(item)
                    for item in [
                        "Vital signs",
                        "Injections",
                        "Specimen collection",
                        "EHR entry",
                        "Patient intake",
                        "Infection control",
                    ]
                ],
            ),
        ],
    ),
    "pharmacy-technician": (
        -4,
        [
            DemoStudent(
                "reese.pharmacy@example.com",
                "Reese",
                "Alvarez",
                Placement("Main Street Pharmacy", starts=-14, ends=28),
                shifts=True,
                pending=1,
            ),
            DemoStudent("quinn.enrolled@example.com", "Quinn", "Baker", documents=False),
        ],
    ),
    "phlebotomy": (
        -2,
        [
            DemoStudent(
                "morgan.phlebotomy@example.com",
                "Morgan",
                "Chen",
                Placement("Northside Diagnostic Lab", starts=-20, ends=10),
                procedures=[
                    sticks(ProcedureKind.VENIPUNCTURE, 10),
                    sticks(ProcedureKind.CAPILLARY_STICK, 6),
                    sticks(ProcedureKind.VENIPUNCTURE, 10),
                    sticks(ProcedureKind.VENIPUNCTURE, 2, successful=False),
                    sticks(ProcedureKind.CAPILLARY_STICK, 4),
                    sticks(ProcedureKind.VENIPUNCTURE, 8),
                ],
            ),
        ],
    ),
    "surgical-technologist": (
        -5,
        [
            DemoStudent(
                "kai.surgical@example.com",
                "Kai",
                "Daniels",
                Placement("Lakeside Surgery Center", starts=-60, ends=30),
                procedures=[
                    *cases("general", FS, 28),
                    *cases("general", SS, 2),
                    *cases("orthopedic", FS, 14),
                    *cases("ob-gyn", FS, 12),
                    *cases("genitourinary", FS, 10),
                    *cases("otorhinolaryngology", FS, 10),
                    *cases("neuro", FS, 6),
                    *cases("orthopedic", SS, 20),
                    *cases("cardiothoracic", SS, 18),
                    *cases("cardiothoracic", OBS, 5),
                    *cases("neuro", FS, 2, approved=False),
                ],
            ),
        ],
    ),
}


def first_of_next_month(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)
