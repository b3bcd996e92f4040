from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messages"

    def ready(self) -> None:
        from messaging import tasks  # noqa: F401  (registers periodic jobs once models can load)
