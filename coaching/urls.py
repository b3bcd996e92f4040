from django.urls import path

from coaching import actions, booking_views, views

urlpatterns = [
    path("coach/", views.coach, name="coach"),
    path("coach/students/<int:pk>/", views.coach_student, name="coach-student"),
    path("coach/students/<int:pk>/notes/", views.note_new, name="coach-note-new"),
    path("coach/students/<int:pk>/sessions/", views.session_new, name="coach-session-new"),
    path("coach/students/<int:pk>/messages/", views.message_new, name="coach-message-new"),
    path("coach/students/<int:pk>/exam/", actions.exam_book, name="coach-exam-book"),
    path(
        "coach/students/<int:pk>/exam/<int:attempt>/",
        actions.exam_result,
        name="coach-exam-result",
    ),
    path("coach/students/<int:pk>/jobs/", actions.job_new, name="coach-job-new"),
    path(
        "coach/students/<int:pk>/jobs/<int:application>/",
        actions.job_update,
        name="coach-job-update",
    ),
    path("coach/students/<int:pk>/placements/", actions.placement_new, name="coach-placement-new"),
    path(
        "coach/students/<int:pk>/sessions/<int:session>/",
        actions.session_close,
        name="coach-session-close",
    ),
    path("coach/sessions/<int:pk>.ics", views.session_ics, name="session-ics"),
    path("coach/calendar/<str:token>.ics", views.coach_feed, name="coach-feed"),
    path("coach/availability/", booking_views.availability, name="coach-availability"),
    path(
        "coach/availability/<int:pk>/remove/",
        booking_views.availability_remove,
        name="coach-availability-remove",
    ),
]
