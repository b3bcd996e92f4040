"""One small school in which every record belongs to somebody: the world the access matrix and
the bad-input sweep act on.

The records under test all belong to student Avery, coached by coach Ann and placed at site A,
supervised by Sam. Everyone else (Blake, another student; coach Ben; Sue, who supervises site B;
an applicant holding only their own status token) is an outsider to them."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, User
from coaching.models import CoachingSession, CoachNote, OpenSlot
from documents.models import ExportJob, ExportKind, ExportStatus
from enrollment.models import Application, Cohort, Student
from externships.models import Externship, HourLog, ProcedureLog, Site
from tests.conftest import with_role
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    EmployerFactory,
    ExamAttemptFactory,
    ExternshipFactory,
    HourLogFactory,
    JobApplicationFactory,
    JobPlacementFactory,
    ProcedureLogFactory,
    SiteFactory,
    StudentFactory,
    UnavailabilityFactory,
    complete_documents,
)

# The roles of the matrix, in the order of its columns.
ROLES = (
    "anonymous",  # no login, no token
    "applicant",  # no login; `?token=` of their own application, never the target's
    "student",  # Avery, who owns the records under test
    "other_student",  # Blake, in the same cohort, with another coach
    "coach",  # Ann, Avery's coach
    "other_coach",  # Ben, who coaches Blake only
    "other_supervisor",  # Sue, who supervises site B, where Avery is not placed
    "admin",
)


@dataclass
class World:
    users: dict[str, User | None]
    applicant_token: str
    cohort: Cohort
    target_application: Application  # someone else's open offer
    student: Student  # Avery
    other_student: Student  # Blake
    site: Site  # site A, Avery's
    other_site: Site
    externship: Externship
    hour_log: HourLog  # pending, so a decision can be made
    procedure_log: ProcedureLog  # pending
    ids: dict[str, int] = field(default_factory=dict)  # the `{id}` of each API collection


def build_world() -> World:
    """Create the school; about 40 rows."""
    today = timezone.localdate()
    admin = with_role(Role.ADMIN, email="director@school.test", is_staff=True)
    coach = with_role(Role.COACH, email="ann@school.test")
    other_coach = with_role(Role.COACH, email="ben@school.test")
    supervisor = with_role(Role.SUPERVISOR, email="sam@site-a.test")
    other_supervisor = with_role(Role.SUPERVISOR, email="sue@site-b.test")
    cohort = CohortFactory(starts_on=today - timedelta(days=60), capacity=10)
    avery = StudentFactory(
        user__email="avery@school.test",
        cohort=cohort,
        coach=coach,
        period=cohort.starts_on,
        application=ApplicationFactory(cohort=cohort, email="avery@school.test"),
    )
    blake = StudentFactory(
        user__email="blake@school.test", cohort=cohort, coach=other_coach, period=cohort.starts_on
    )
    document, *_ = complete_documents(avery)
    site = SiteFactory(programs=[cohort.program], supervisors=[supervisor])
    other_site = SiteFactory(programs=[cohort.program], supervisors=[other_supervisor])
    externship = ExternshipFactory(student=avery, site=site, supervisor=supervisor)
    ExternshipFactory(student=blake, site=other_site, supervisor=other_supervisor)
    hour_log = HourLogFactory(externship=externship, status="pending")
    procedure_log = ProcedureLogFactory(externship=externship, status="pending")
    target_application = ApplicationFactory(
        cohort=CohortFactory(program=cohort.program),
        email="offered@example.com",
        status="offered",
        offer_expires_at=timezone.now() + timedelta(hours=24),
    )
    applicant = ApplicationFactory(
        cohort=target_application.cohort, email="waiting@example.com", status="waitlisted"
    )
    start = timezone.make_aware(datetime.combine(today + timedelta(days=3), time(10, 0)))
    session = CoachingSession.objects.create(
        student=avery, coach=coach, kind="check_in", starts_at=start, duration_minutes=30
    )
    note = CoachNote.objects.create(student=avery, author=coach, body="Doing well.")
    # A free time coach Ann offers her students, still free.
    open_slot = OpenSlot.objects.create(coach=coach, starts_at=start + timedelta(days=1))
    attempt = ExamAttemptFactory(student=avery)
    employer = EmployerFactory()
    job_application = JobApplicationFactory(student=avery, employer=employer)
    placement = JobPlacementFactory(student=avery, employer=employer)
    unavailability = UnavailabilityFactory(student=avery)
    # An admin's roster export of Avery's cohort whose worker died an hour ago (no heartbeat
    # since): it reads as failed, but only the periodic job or a new export may record that.
    export = ExportJob.objects.create(
        kind=ExportKind.ROSTER,
        cohort=cohort,
        requested_by=admin,
        status=ExportStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    world = World(
        users={
            "anonymous": None,
            "applicant": None,
            "student": avery.user,
            "other_student": blake.user,
            "coach": coach,
            "other_coach": other_coach,
            "other_supervisor": other_supervisor,
            "admin": admin,
        },
        applicant_token=applicant.status_token,
        cohort=cohort,
        target_application=target_application,
        student=avery,
        other_student=blake,
        site=site,
        other_site=other_site,
        externship=externship,
        hour_log=hour_log,
        procedure_log=procedure_log,
    )
    world.ids = {
        "applications": target_application.pk,
        "cohorts": cohort.pk,
        "programs": cohort.program.slug,
        "students": avery.pk,
        "sites": site.pk,
        "externships": externship.pk,
        "hour-logs": hour_log.pk,
        "procedure-logs": procedure_log.pk,
        "coaching-sessions": session.pk,
        "coach-notes": note.pk,
        "exam-attempts": attempt.pk,
        "employers": employer.pk,
        "job-applications": job_application.pk,
        "job-placements": placement.pk,
        "unavailabilities": unavailability.pk,
        "exports": export.pk,
        "open-slots": open_slot.pk,
        "compliance-documents": document.pk,
        "people": avery.user.pk,
    }
    return world
