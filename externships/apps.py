from django.apps import AppConfig


class ExternshipsConfig(AppConfig):
    name = "externships"
    verbose_name = "Externships and clinical logs"

    def ready(self) -> None:
        # Imported once models can load: they register periodic jobs and enrollment hooks.
        from externships import enrollments, tasks  # noqa: F401
