from django.urls import path

from documents import views

urlpatterns = [
    path("verify/<slug:code>/", views.verify, name="verify"),
]
