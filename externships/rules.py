"""How each kind of requirement is measured against a student's approved logs.

A rule's numbers are data (`Requirement.params`); this module only knows the shapes:
- hours:          {"hours": 160}
- procedures:     {"procedure": "venipuncture", "count": 30, "noun": "venipuncture"}
- competencies:   {"items": ["Vital signs", ...]} (students choose from these; see `loggable`)
- surgical_cases: {"total": 120, "first_scrub": 80, "second_scrub_max": 40,
                   "general": {"total": 30, "first_scrub": 20},
                   "specialties": {"total": 90, "first_scrub": 60, "count": 4,
                                   "each_first_scrub": 10}}
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import FloatField, OuterRef, Subquery, Sum
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast

from externships.models import ProcedureKind, Requirement, RequirementKind, ScrubRole

GENERAL_SURGERY = "general"
# Core Curriculum 6th ed.: these count only toward the second-scrub allowance, up to a cap each.
SECOND_SCRUB_ONLY = {"diagnostic endoscopy": 10, "vaginal delivery": 5}
SPECIALTIES = [
    GENERAL_SURGERY,
    "cardiothoracic",
    "genitourinary",
    "neuro",
    "ob-gyn",
    "ophthalmic",
    "oral-maxillofacial",
    "orthopedic",
    "otorhinolaryngology",
    "peripheral vascular",
    "plastics and reconstructive",
    "procurement and transplant",
    *SECOND_SCRUB_ONLY,
]
ALIASES = {
    "general surgery": GENERAL_SURGERY,
    "ent": "otorhinolaryngology",
    "ob/gyn": "ob-gyn",
    "obgyn": "ob-gyn",
    "neurosurgery": "neuro",
    "ortho": "orthopedic",
    "orthopedics": "orthopedic",
    "gu": "genitourinary",
    "urology": "genitourinary",
    "plastics": "plastics and reconstructive",
    "omfs": "oral-maxillofacial",
    "vascular": "peripheral vascular",
    "transplant": "procurement and transplant",
    "endoscopy": "diagnostic endoscopy",
}


def specialty_name(text: str) -> str | None:
    """The curriculum's name for a specialty as typed, or None when it is not one."""
    name = " ".join(text.strip().lower().split())
    name = ALIASES.get(name, name)
    return name if name in SPECIALTIES else None


# A competency line names at most this many missing items ("... and 2 more"), to stay short.
NAMES_SHOWN = 4


class Line(NamedTuple):
    """One measurable line of progress: done out of required, and what is missing in words.
    A tuple: hundreds of these are made for a page of students."""

    label: str
    done: float
    required: float
    unit: str
    names: tuple[str, ...] = ()  # what is still to do, by name (a checklist's items)

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def filled(self) -> float:
        """How full its progress bar is: done, at most required (past its max, a <progress> is
        invalid HTML)."""
        return min(self.done, self.required)

    @property
    def words(self) -> str:
        """Done out of required, as every page says it: "72.5 of 160 hours"."""
        noun = self.unit if self.required != 1 else singular(self.unit)
        return f"{self._amount(self.done)} of {self._amount(self.required)} {noun}"

    @property
    def missing(self) -> str:
        if self.met:
            return "done"
        left = self.required - self.done
        noun = self.unit if left != 1 else singular(self.unit)
        return f"{self._amount(left)} {noun} to go" + (
            f": {named(self.names)}" if self.names else ""
        )

    def _amount(self, number: float) -> str:
        """Hours to the tenth ("72.5", "160"), counts whole."""
        return f"{number:.1f}".rstrip("0").rstrip(".") if self.unit == "hours" else f"{number:g}"


def named(names: tuple[str, ...]) -> str:
    """'Injections, EHR entry', or the first few and 'and 2 more'."""
    shown = ", ".join(names[:NAMES_SHOWN])
    rest = len(names) - NAMES_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def singular(noun: str) -> str:
    """'competencies' -> 'competency', 'cases' -> 'case' (the units used here)."""
    return noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")


@dataclass(slots=True)
class Evidence:
    """A student's approved work, summed the way the rules need it."""

    minutes: int = 0
    procedures: dict[str, int] = field(default_factory=dict)  # kind -> successful count
    competencies: set[str] = field(default_factory=set)
    cases: dict[tuple[str, str], int] = field(default_factory=dict)  # (specialty, role) -> count

    def add_procedure(
        self, kind: str, count: int, successful: bool, specialty: str, role: str, competency: str
    ) -> None:
        if kind == ProcedureKind.SURGICAL_CASE:
            key = (specialty_name(specialty) or specialty.strip().lower(), role)
            self.cases[key] = self.cases.get(key, 0) + count
        elif kind == ProcedureKind.COMPETENCY:
            if successful:
                self.competencies.add(competency.strip().lower())
        elif successful:
            self.procedures[kind] = self.procedures.get(kind, 0) + count


Rule = Callable[[Evidence], list[Line]]


def measure(requirement: Requirement, evidence: Evidence) -> list[Line]:
    """The lines of one requirement for one student's evidence."""
    return rule_for(requirement)(evidence)


def rule_for(requirement: Requirement) -> Rule:
    """`measure` for one requirement with its numbers read once, for measuring many students."""
    params, label = requirement.params, requirement.label
    if requirement.kind == RequirementKind.HOURS:
        hours = params["hours"]
        # Tenths of an hour, rounded down: 159 h 58 min never reads as the 160 required.
        return lambda evidence: [Line(label, evidence.minutes // 6 / 10, hours, "hours")]
    if requirement.kind == RequirementKind.PROCEDURES:
        procedure, count = params["procedure"], params["count"]
        noun = params.get("noun", procedure.replace("_", " ")) + "s"
        return lambda evidence: [Line(label, evidence.procedures.get(procedure, 0), count, noun)]
    if requirement.kind == RequirementKind.COMPETENCIES:
        items = [(item.strip().lower(), item.strip()) for item in params["items"]]

        def competencies(evidence: Evidence) -> list[Line]:
            missing = tuple(name for key, name in items if key not in evidence.competencies)
            return [Line(label, len(items) - len(missing), len(items), "competencies", missing)]

        return competencies
    if requirement.kind == RequirementKind.SURGICAL_CASES:
        return lambda evidence: surgical_case_lines(params, evidence.cases)
    raise ValueError(f"unknown requirement kind {requirement.kind!r}")


@dataclass(frozen=True, slots=True)
class Loggable:
    """What a student may log as procedures: the kinds their edition counts (ProcedureKind
    values, in that order) and its competency checklist, as the edition names the items."""

    kinds: tuple[str, ...]
    competencies: tuple[str, ...] = ()

    def checklist_item(self, text: str) -> str | None:
        """The checklist's own name for `text` (any case and spacing), or None."""
        wanted = text.strip().lower()
        return next((item for item in self.competencies if item.lower() == wanted), None)


# A student with no edition yet: any kind that needs no checklist to choose from.
WITHOUT_EDITION = Loggable(tuple(k.value for k in ProcedureKind if k != ProcedureKind.COMPETENCY))


def loggable(requirements: Iterable[Requirement]) -> Loggable:
    """The procedure kinds an edition's requirements count, and its competency checklist. Hours
    are always logged; an hours-only edition counts no procedure kind."""
    kinds: set[str] = set()
    items: dict[str, None] = {}  # in the checklist's order, once each
    for requirement in requirements:
        if requirement.kind == RequirementKind.PROCEDURES:
            kinds.add(requirement.params["procedure"])
        elif requirement.kind == RequirementKind.COMPETENCIES:
            kinds.add(ProcedureKind.COMPETENCY)
            items.update(dict.fromkeys(item.strip() for item in requirement.params["items"]))
        elif requirement.kind == RequirementKind.SURGICAL_CASES:
            kinds.add(ProcedureKind.SURGICAL_CASE)
    return Loggable(tuple(kind.value for kind in ProcedureKind if kind in kinds), tuple(items))


def required_hours(requirement_set: OuterRef) -> Subquery:
    """The hours a requirement set asks for (its hours rules summed, NULL without one), as a
    subquery to annotate with, e.g. `required_hours(OuterRef("requirement_set"))`."""
    hours = Cast(KeyTransform("hours", "params"), FloatField())
    rules = Requirement.objects.filter(requirement_set=requirement_set, kind=RequirementKind.HOURS)
    return Subquery(
        rules.order_by().values("requirement_set").annotate(total=Sum(hours)).values("total")
    )


def surgical_case_lines(rules: dict, cases: dict[tuple[str, str], int]) -> list[Line]:
    """The Core Curriculum's case rules. Observation is logged but never counted; second scrub
    counts toward the total only up to its cap, and diagnostic endoscopy and vaginal delivery
    (in any role but observation) only as second scrub, each up to its own cap."""
    extra = sum(
        min(sum(n for (s, r), n in cases.items() if s == name and r != ScrubRole.OBSERVATION), cap)
        for name, cap in SECOND_SCRUB_ONLY.items()
    )
    cases = {key: n for key, n in cases.items() if key[0] not in SECOND_SCRUB_ONLY}

    def total(
        role: str, specialties: Iterable[str] | None = None, exclude: str | None = None
    ) -> int:
        return sum(
            n
            for (specialty, r), n in cases.items()
            if r == role
            and specialty != exclude
            and (specialties is None or specialty in specialties)
        )

    first = total(ScrubRole.FIRST_SCRUB)
    second = min(total(ScrubRole.SECOND_SCRUB) + extra, rules["second_scrub_max"])
    general, specialties = rules["general"], rules["specialties"]
    general_first = total(ScrubRole.FIRST_SCRUB, [GENERAL_SURGERY])
    general_second = total(ScrubRole.SECOND_SCRUB, [GENERAL_SURGERY])
    other_first = total(ScrubRole.FIRST_SCRUB, exclude=GENERAL_SURGERY)
    other_second = total(ScrubRole.SECOND_SCRUB, exclude=GENERAL_SURGERY)
    first_by_specialty = Counter(
        {s: n for (s, r), n in cases.items() if r == ScrubRole.FIRST_SCRUB and s != GENERAL_SURGERY}
    )
    qualifying = sum(1 for n in first_by_specialty.values() if n >= specialties["each_first_scrub"])
    return [
        Line("Surgical cases counted", first + second, rules["total"], "cases"),
        Line("First scrub cases", first, rules["first_scrub"], "first scrub cases"),
        Line(
            "General surgery cases",
            general_first + general_second,
            general["total"],
            "general surgery cases",
        ),
        Line(
            "General surgery, first scrub",
            general_first,
            general["first_scrub"],
            "first scrub general cases",
        ),
        Line(
            "Specialty cases", other_first + other_second, specialties["total"], "specialty cases"
        ),
        Line(
            "Specialty cases, first scrub",
            other_first,
            specialties["first_scrub"],
            "first scrub specialty cases",
        ),
        Line(
            f"Specialties with {specialties['each_first_scrub']}+ first scrub cases",
            qualifying,
            specialties["count"],
            "specialties",
        ),
    ]
