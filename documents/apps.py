from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Certificates and cohort PDFs"

    def ready(self) -> None:
        from documents import tasks  # noqa: F401  (registers periodic jobs once models can load)
