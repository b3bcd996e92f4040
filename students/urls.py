from django.urls import path

from students import views

urlpatterns = [
    path("me/", views.home, name="me"),
    path("me/sessions/", views.session_book, name="me-session-book"),
    path("me/sessions/<int:pk>/move/", views.session_move_page, name="me-session-move"),
    path("me/sessions/<int:pk>/cancel/", views.session_cancel_page, name="me-session-cancel"),
    path("me/coach/messages/", views.coach_message, name="me-coach-message"),
]
