from django.apps import AppConfig


class ExternshipsConfig(AppConfig):
    name = "externships"
    verbose_name = "Externships and clinical logs"

    def ready(self) -> None:
        from externships import tasks  # noqa: F401  (registers periodic jobs once models can load)
