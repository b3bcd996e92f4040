"""Field history of the records an audit asks about: every change keeps who, when and what.

`field_history()` gives a model its history (django-simple-history). The acting user is the
service's own `by`/`actor` argument (see `attributed`), else the signed-in user of the request
(simple-history's middleware), else nobody: the system, a periodic job or an applicant by token.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

P = ParamSpec("P")
R = TypeVar("R")

_acting: ContextVar[AbstractBaseUser | None] = ContextVar("acting", default=None)


@contextmanager
def acting_as(user: AbstractBaseUser | None) -> Iterator[None]:
    """Attribute the changes made inside to `user` (kept when `user` is None or anonymous)."""
    if user is None or not user.is_authenticated:
        yield
        return
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def attributed(service: Callable[P, R]) -> Callable[P, R]:
    """A service whose `by` (a user) or `actor` (a user, or an object with `.user`) made the
    changes, also when it runs outside a request: in a task, a command or the shell."""

    @wraps(service)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        who = kwargs.get("by", kwargs.get("actor"))
        if who is not None and not isinstance(who, AbstractBaseUser):
            who = getattr(who, "user", None)
        with acting_as(who):
            return service(*args, **kwargs)

    return wrapped


def history_user(
    instance: Any = None, request: HttpRequest | None = None, **kwargs: Any
) -> AbstractBaseUser | None:
    """simple-history's `get_user`: the service's acting user, else the request's."""
    acting = _acting.get()
    if acting is not None:
        return acting
    return request.user if request is not None else None


class FieldHistory(HistoricalRecords):
    """simple-history's records, less a save that wrote only fields the history leaves out (a
    sign-in's `last_login`): an entry that changes nothing would bury the ones that do."""

    def post_save(
        self, instance: Any, created: bool, using: str | None = None, **kwargs: Any
    ) -> None:
        written = kwargs.get("update_fields")
        if not created and written and set(written) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


def field_history(**options: Any) -> HistoricalRecords:
    """A model's field history, read as `<record>.audit_trail` and shown in the admin;
    `excluded_fields` names what it does not keep (a password's hash, bookkeeping)."""
    return FieldHistory(get_user=history_user, cascade_delete_history=False, **options)
