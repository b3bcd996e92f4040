from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import views as account_views
from accounts.api.views import TokenView
from accounts.forms import SetPasswordForm
from backend.api import LoginRateThrottle
from backend.throttles import PasswordResetEmailThrottle, quietly_limited, throttled
from careers.api.reports import OutcomeReportViewSet
from careers.api.views import (
    EmployerViewSet,
    ExamAttemptViewSet,
    JobApplicationViewSet,
    JobPlacementViewSet,
    UnavailabilityViewSet,
)
from coaching.api.views import CoachingSessionViewSet, CoachNoteViewSet
from enrollment import views as enrollment_views
from enrollment.api.views import ApplicationViewSet, CohortViewSet, ProgramViewSet
from externships.api.people import PersonViewSet
from externships.api.views import (
    ComplianceDocumentViewSet,
    ExternshipViewSet,
    HourLogViewSet,
    ProcedureLogViewSet,
    SiteViewSet,
)
from messaging.api.views import InboundTextView
from messaging.password_reset import PasswordResetForm
from students.api.views import StudentViewSet


class Router(DefaultRouter):
    """Routes with path converters: an object id is an `int` (anything else in its place is a 404
    from the URL resolver, and the schema says integer); a viewset with its own lookup (slugs)
    names its converter in `lookup_value_converter`. No `.json` suffix twins: the schema could
    not tell them from the real paths, and `?format=` does the same."""

    include_format_suffixes = False

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset: type, lookup_prefix: str = "") -> str:
        if not hasattr(viewset, "lookup_value_converter") and viewset.lookup_field == "pk":
            return f"<int:{lookup_prefix}pk>"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("programs", ProgramViewSet, basename="program")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register("applications", ApplicationViewSet, basename="application")
router.register("students", StudentViewSet, basename="student")
router.register("sites", SiteViewSet, basename="site")
router.register("externships", ExternshipViewSet, basename="externship")
router.register("compliance-documents", ComplianceDocumentViewSet, basename="compliance-document")
router.register("people", PersonViewSet, basename="person")
router.register("hour-logs", HourLogViewSet, basename="hour-log")
router.register("procedure-logs", ProcedureLogViewSet, basename="procedure-log")
router.register("coaching-sessions", CoachingSessionViewSet, basename="coaching-session")
router.register("coach-notes", CoachNoteViewSet, basename="coach-note")
router.register("exam-attempts", ExamAttemptViewSet, basename="exam-attempt")
router.register("employers", EmployerViewSet, basename="employer")
router.register("job-applications", JobApplicationViewSet, basename="job-application")
router.register("job-placements", JobPlacementViewSet, basename="job-placement")
router.register("unavailabilities", UnavailabilityViewSet, basename="unavailability")
router.register("reports/outcomes", OutcomeReportViewSet, basename="outcome-report")

urlpatterns = [
    path("", enrollment_views.home, name="home"),
    path("programs/<slug:slug>/", enrollment_views.program_page, name="program"),
    path("apply/<slug:slug>/", enrollment_views.apply, name="apply"),
    path("status/<slug:token>/", enrollment_views.status, name="status"),
    # Decline and withdraw ask once more (GET) before they act (POST), at the same address.
    path(
        "status/<slug:token>/decline/",
        enrollment_views.status_confirm,
        {"verb": "decline"},
        name="status-decline",
    ),
    path(
        "status/<slug:token>/withdraw/",
        enrollment_views.status_confirm,
        {"verb": "withdraw"},
        name="status-withdraw",
    ),
    path("status/<slug:token>/<slug:verb>/", enrollment_views.status_action, name="status-action"),
    path("", include("students.urls")),
    path("", include("externships.urls")),
    path("", include("coaching.urls")),
    path("", include("careers.urls")),
    path("", include("documents.urls")),
    path("", include("messaging.urls")),
    path(
        "login/",
        throttled(LoginRateThrottle, methods=("POST",))(
            # The school's name, not the host's, which LoginView (and LogoutView) would put in
            # `site_name`.
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, extra_context={"site_name": settings.SITE_NAME}
            )
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(extra_context={"site_name": settings.SITE_NAME}),
        name="logout",
    ),
    path("start/", account_views.start, name="start"),
    # "Forgot your password?": counted per client address (with sign-ins, a 429 past it) and per
    # email asked for (past it, no more emails, the same answer); the answer is the same whether
    # or not an account uses the address.
    path(
        "password-reset/",
        throttled(LoginRateThrottle, methods=("POST",))(
            quietly_limited(PasswordResetEmailThrottle, answer="password_reset_done")(
                auth_views.PasswordResetView.as_view(
                    form_class=PasswordResetForm,
                    email_template_name="registration/password_reset_email.html",
                    success_url=reverse_lazy("password_reset_done"),
                )
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        throttled(LoginRateThrottle, methods=("GET", "POST"))(
            auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm)
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The admin's own sign-in form draws on the same allowance per address as /login/.
    path("admin/login/", throttled(LoginRateThrottle, methods=("POST",))(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/docs.html"),
        name="api-docs",
    ),
    path("api/v1/auth/token/", TokenView.as_view(), name="auth-token"),
    path("api/v1/messaging/sms/inbound/", InboundTextView.as_view(), name="sms-inbound"),
    path("api/v1/", include("documents.api.urls")),
    path("api/v1/", include(router.urls)),
]

handler400 = "backend.error_pages.bad_request"
handler403 = "backend.error_pages.permission_denied"
handler404 = "backend.error_pages.not_found"
# A database outage answers 503 (JSON under /api/, a page elsewhere); other errors the 500 page.
handler500 = "backend.error_pages.server_error"
