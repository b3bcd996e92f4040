from django.urls import path, register_converter

from externships import views


class LogKind:
    """`hour` or `procedure`: the two kinds of clinical log."""

    regex = "hour|procedure"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LogKind, "logkind")

urlpatterns = [
    path("me/hours/", views.hour_log_new, name="me-hours"),
    path("me/procedures/", views.procedure_log_new, name="me-procedures"),
    path("me/logs/<logkind:kind>/<int:pk>/answer/", views.log_answer, name="me-answer"),
    path("review/", views.review, name="review"),
    path("review/approve/", views.review_bulk_approve, name="review-bulk-approve"),
    path("review/link/<str:token>/", views.review_link, name="review-link"),
    path("review/all/<str:token>/", views.review_all_link, name="review-all-link"),
    path(
        "review/all/<str:token>/approve/", views.review_all_bulk_approve, name="review-all-approve"
    ),
    path(
        "review/all/<str:token>/<logkind:kind>/<int:pk>/",
        views.review_all_decide,
        name="review-all-decide",
    ),
    path("review/<logkind:kind>/<int:pk>/", views.review_decide, name="review-decide"),
]
