"""Who may decide a clinical log, in one place: the site's supervisors (and the externship's own
supervisor), the student's coach, and admins. The API, the /review/ pages, the signed links and
`log_decide` all ask here, as a test on one log or as a queryset."""

import operator
from functools import reduce

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from externships.models import HourLog, ProcedureLog, Site

# The roles that may decide some log; which logs each may decide is `decidable_logs`.
DECIDER_ROLES = (Role.ADMIN, Role.COACH, Role.SUPERVISOR)


def decidable_logs(
    user: User, model: type[HourLog] | type[ProcedureLog]
) -> QuerySet[HourLog] | QuerySet[ProcedureLog]:
    """The logs of `model` that `user` may approve, reject or send back, whatever their status."""
    if user.has_role(Role.ADMIN):
        return model.objects.all()
    rules = []
    if user.has_role(Role.COACH):
        rules.append(Q(externship__student__coach=user))
    if user.has_role(Role.SUPERVISOR):
        rules.append(_supervising(user))
    if not rules:
        return model.objects.none()
    return model.objects.filter(reduce(operator.or_, rules))


def supervised_logs(
    user: User, model: type[HourLog] | type[ProcedureLog]
) -> QuerySet[HourLog] | QuerySet[ProcedureLog]:
    """The logs `user` decides as a site supervisor alone, whatever other roles they hold: what
    the daily summary lists and its signed link may decide."""
    if not user.has_role(Role.SUPERVISOR):
        return model.objects.none()
    return model.objects.filter(_supervising(user))


def _supervising(user: User) -> Q:
    # A subquery, not a join over the site's supervisors, so no log comes back twice.
    at_their_sites = Q(externship__site__in=Site.objects.filter(supervisors=user))
    return at_their_sites | Q(externship__supervisor=user)


def can_decide(user: User, log: HourLog | ProcedureLog) -> bool:
    """Whether `user` may decide `log`: the same rule as `decidable_logs`, for one log."""
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(*DECIDER_ROLES):
        return False
    return decidable_logs(user, type(log)).filter(pk=log.pk).exists()
