import time

from django.core.management.base import BaseCommand, CommandParser

from backend.periodic import run_all


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (offer expiries, reminders) once, or every N seconds; repeating, "
        "it names only the jobs that settled something or failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: object, every: int, **options: object) -> None:
        try:
            self.run_jobs(every)
        except KeyboardInterrupt:
            return  # Ctrl-C ends the loop, as it ends the worker beside it, without a traceback

    def run_jobs(self, every: int) -> None:
        while True:
            for name, result in run_all().items():
                # Once, every job answers; in a loop (`make run`, `make worker`) a line per job
                # per minute would bury the emails the worker prints.
                if every <= 0 or result != 0:
                    self.stdout.write(f"{name}: {result}")
            if every <= 0:
                return
            time.sleep(every)
