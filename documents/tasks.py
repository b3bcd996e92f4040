from django_tasks import task

from backend.periodic import periodic
from documents.services import export_run, exports_fail_lost


@task()
def run_export(job_id: int) -> str:
    """A background PDF export (`make worker`); returns the job's final status."""
    return export_run(job_id).status


@periodic
def fail_lost_exports() -> int:
    """Exports whose worker died (no heartbeat for EXPORT_HEARTBEAT_TIMEOUT seconds) are recorded
    as failed, with the reason, so that they can be started again."""
    return exports_fail_lost()
