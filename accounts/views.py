from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import Role


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: each person's own daily page."""
    user = request.user
    if hasattr(user, "student"):
        return redirect("me")
    if user.has_role(Role.SUPERVISOR):
        return redirect("review")
    if user.has_role(Role.COACH, Role.ADMIN):
        return redirect("coach")
    return redirect("home")
