"""Background work that a change asks for goes out with the change, or not at all.

With the database task backend (production), the task's row is written in the caller's
transaction: it commits with the change and is rolled back with it, and a process that dies right
after the commit loses nothing. Any other backend (the immediate one in tests) is handed the task
once the transaction commits. (The task table is in the one database the changes are made in.)"""

from typing import Any

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend


def enqueue_with_change(task: Task[..., Any], *args: Any) -> None:
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
