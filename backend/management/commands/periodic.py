import time

from django.core.management.base import BaseCommand, CommandParser

from backend.periodic import run_all


class Command(BaseCommand):
    help = "Run the periodic jobs (offer expiries, reminders) once, or every N seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: object, every: int, **options: object) -> None:
        while True:
            for name, result in run_all().items():
                self.stdout.write(f"{name}: {result}")
            if every <= 0:
                return
            time.sleep(every)
