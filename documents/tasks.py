from django_tasks import task

from documents.services import export_run


@task()
def run_export(job_id: int) -> str:
    """A background PDF export (`make worker`); returns the job's final status."""
    return export_run(job_id).status
