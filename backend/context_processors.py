from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    return {"site_name": settings.SITE_NAME, "contact_email": settings.DEFAULT_FROM_EMAIL}
