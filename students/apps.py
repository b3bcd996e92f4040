from django.apps import AppConfig


class StudentsConfig(AppConfig):
    """The student across every app: the student API, the lifecycle (graduate, withdraw,
    re-enter, leave and return), the student admin and the demo data. Above all other apps."""

    name = "students"
    verbose_name = "Students"
