from django.urls import path
from rest_framework.routers import SimpleRouter

from documents.api.views import CertificatePdfView, ExportViewSet, RosterPdfView

router = SimpleRouter()
router.register("exports", ExportViewSet, basename="export")

urlpatterns = [
    path("cohorts/<int:pk>/roster.pdf", RosterPdfView.as_view(), name="cohort-roster-pdf"),
    path(
        "students/<int:pk>/certificate.pdf",
        CertificatePdfView.as_view(),
        name="student-certificate-pdf",
    ),
    *router.urls,
]
