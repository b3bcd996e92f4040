"""The demo school as data: its programs, cohorts, people, externship sites and the history of
the students of earlier cohorts (their documents, placements and logs), read by `seed_demo`."""

from dataclasses import dataclass, field
from datetime import date

from enrollment.models import Track
from externships.models import DocumentKind, ProcedureKind, ScrubRole, SiteKind

# Lengths, delivery, credentials and clinical requirements as PRODUCT.md gives them (sources in
# /work/shared/reference); schedules, tuition, fees and payment options are the demo school's.
APPLY = "18 or older when your class starts\nA high-school diploma or GED"


def before(clinicals: str) -> str:
    """The documents every externship needs (externships.services.missing_documents)."""
    return (
        f"Before your {clinicals}: immunizations, a TB test, a background check, a drug "
        "screen, a CPR/BLS card and a signed FERPA release (we help you arrange them)"
    )


WAYS_TO_PAY = (
    "Pay in full before your class starts\n"
    "A monthly payment plan with no interest, over the length of the program\n"
    "Workforce (WIOA) funding, if your local workforce board approves it"
)
PROGRAMS = [
    {
        "slug": "medical-assistant",
        "name": "Medical Assistant",
        "track": Track.MEDICAL_ASSISTANT,
        "duration_weeks": 17,
        "length": "4 months",
        "schedule": "Online lessons at your own pace, about 15 to 20 hours a week; then the "
        "externship on weekdays, during the clinic's opening hours",
        "delivery": "100% online, then in-person clinical hours",
        "credential": "NHA CCMA",
        "clinical_requirement": "160 externship hours in an outpatient setting (CAAHEP III.C.3) "
        "and a competency checklist signed off by your supervisor: vital signs, injections, "
        "specimen collection, EHR entry and more.",
        "tuition_cents": 340000,
        "tuition_includes": "The online course and its study materials\n"
        "Your first attempt at the NHA CCMA exam\n"
        "A placement for your 160 externship hours at a partner clinic\n"
        "A coach of your own, from enrollment to your first job\n"
        "Career services: resume review, mock interviews and job leads",
        "fees": "Registration fee: $100, refunded in full if we cannot offer you a seat\n"
        "Background check and drug screen before your externship: $85\n"
        "Scrubs and a stethoscope: about $60, bought on your own",
        "payment_options": WAYS_TO_PAY,
        "requirements_to_apply": f"{APPLY}\n{before('externship')}",
    },
    {
        "slug": "pharmacy-technician",
        "name": "Pharmacy Technician",
        "track": Track.PHARMACY_TECHNICIAN,
        "duration_weeks": 17,
        "length": "4 months",
        "schedule": "Online lessons at your own pace, about 15 to 20 hours a week; then the "
        "externship on weekdays, during the pharmacy's opening hours",
        "delivery": "100% online, then in-person externship",
        "credential": "NHA ExCPT (CPhT)",
        "clinical_requirement": "120 externship hours in a pharmacy, signed off by your "
        "supervisor.",
        "tuition_cents": 290000,
        "tuition_includes": "The online course and its study materials\n"
        "Your first attempt at the NHA ExCPT exam\n"
        "A placement for your 120 externship hours at a partner pharmacy\n"
        "A coach of your own, from enrollment to your first job\n"
        "Career services: resume review, mock interviews and job leads",
        "fees": "Registration fee: $100, refunded in full if we cannot offer you a seat\n"
        "Background check and drug screen before your externship: $85",
        "payment_options": WAYS_TO_PAY,
        "requirements_to_apply": f"{APPLY}\n{before('externship')}",
    },
    {
        "slug": "phlebotomy",
        "name": "Phlebotomy",
        "track": Track.PHLEBOTOMY,
        "duration_weeks": 4,
        "length": "4 weeks",
        "schedule": "Evening classes, live online, Monday to Thursday, 6 to 9 p.m.",
        "delivery": "100% online, evening classes",
        "credential": "NHA CPT",
        "clinical_requirement": "30 successful venipunctures and 10 capillary or finger sticks "
        "on live people, each signed off by your supervisor.",
        "tuition_cents": 120000,
        "tuition_includes": "The online evening classes and their study materials\n"
        "Your first attempt at the NHA CPT exam\n"
        "A placement at a partner lab or clinic for your sticks\n"
        "A coach of your own, from enrollment to your first job",
        "fees": "Registration fee: $100, refunded in full if we cannot offer you a seat\n"
        "Background check and drug screen before your clinical practice: $85",
        "payment_options": WAYS_TO_PAY,
        "requirements_to_apply": f"{APPLY}\n{before('clinical practice')}",
    },
    {
        "slug": "surgical-technologist",
        "name": "Surgical Technologist",
        "track": Track.SURGICAL_TECHNOLOGIST,
        "duration_weeks": 17,
        "length": "4 months",
        "schedule": "Online course at your own pace; then clinical cases in operating rooms, "
        "on the hospital's weekday shifts",
        "delivery": "Online course, then clinical cases; prior hospital work experience encouraged",
        "credential": "NCCT TS-C",
        "clinical_requirement": "120 surgical cases: at least 80 as first scrub (second scrub "
        "counts for at most 40); 30 in general surgery (20 as first scrub) and 90 in other "
        "specialties (60 as first scrub), across at least 4 specialties with 10 cases each. "
        "Cases you observe are logged but not counted (Core Curriculum for Surgical Technology, "
        "6th edition).",
        "tuition_cents": 450000,
        "tuition_includes": "The online course and its study materials\n"
        "Your first attempt at the NCCT TS-C exam\n"
        "A placement for your clinical cases at a partner hospital or surgery center\n"
        "A coach of your own, from enrollment to your first job\n"
        "Career services: resume review, mock interviews and job leads",
        "fees": "Registration fee: $100, refunded in full if we cannot offer you a seat\n"
        "Background check and drug screen before your clinical cases: $85",
        "payment_options": WAYS_TO_PAY,
        "requirements_to_apply": f"{APPLY}\nPrior hospital work experience is encouraged, "
        f"not required\n{before('clinical cases')}",
    },
]
# What a program's page shows; a database seeded before those pages gets them where blank.
PAGE_DETAILS = (
    "length",
    "schedule",
    "tuition_cents",
    "tuition_includes",
    "fees",
    "payment_options",
    "requirements_to_apply",
)

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
