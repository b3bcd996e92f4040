from django.apps import AppConfig


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Pathway"

    def ready(self) -> None:
        from backend import tasks  # noqa: F401  (registers periodic jobs once models can load)
