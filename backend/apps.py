from django.apps import AppConfig


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Pathway"

    def ready(self) -> None:
        # Imported once models can load: the periodic jobs, and the `any_of` lookup.
        from backend import lookups, tasks  # noqa: F401
