import os
import shutil
import uuid
from collections.abc import Iterator
from typing import NoReturn

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests.factories import UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium off the closed network, and out of the sandbox it lacks as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: object) -> None:
    """Background tasks run in the same process as the test, at enqueue time."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Tests make many users; a cheap hasher keeps the suite fast (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings: object) -> None:
    """Throttle counts and failed sign-ins never leak from one test into the next: each test
    counts under a key prefix of its own, in the cache the app uses (without REDIS_URL, the
    database's table), and a test that touches no database sets it up without one."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": uuid.uuid4().hex} for name, config in settings.CACHES.items()
    }


def with_role(role: str, **fields: object) -> User:
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def admin_user(db: None) -> User:
    return with_role(Role.ADMIN, email="director@school.test", is_staff=True)


@pytest.fixture
def coach(db: None) -> User:
    return with_role(Role.COACH, email="coach@school.test")


@pytest.fixture
def student(db: None) -> User:
    return with_role(Role.STUDENT, email="student@school.test")


@pytest.fixture
def supervisor(db: None) -> User:
    return with_role(Role.SUPERVISOR, email="preceptor@clinic.test")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def unavailable(reason: str, required_by: str, skipped: str) -> NoReturn:
    """Skip a test whose service this machine lacks, with the reason printed; fail it instead
    when the environment variable `required_by` is 1 (as `.ci/run` sets them)."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} and {required_by}=1")
    pytest.skip(f"{reason}: {skipped}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (its own browser download is not used)."""
    if not os.path.exists(CHROMIUM):
        unavailable(
            f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
            "REQUIRE_BROWSER",
            "browser test skipped",
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
