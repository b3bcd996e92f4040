from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Enrollment"

    def ready(self) -> None:
        from enrollment import tasks  # noqa: F401  (registers periodic jobs once models can load)
