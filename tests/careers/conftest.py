import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """These tests make many users and never sign in with a password: hash cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
