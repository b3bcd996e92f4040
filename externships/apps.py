from django.apps import AppConfig


class ExternshipsConfig(AppConfig):
    name = "externships"
    verbose_name = "Externships and clinical logs"
