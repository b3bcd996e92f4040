from django.urls import path

from careers import report_views

urlpatterns = [
    path("reports/outcomes/", report_views.outcomes, name="outcomes"),
    path("reports/outcomes.csv", report_views.outcomes_csv, name="outcomes-csv"),
    path("reports/outcomes/students/", report_views.outcome_students, name="outcome-students"),
]
