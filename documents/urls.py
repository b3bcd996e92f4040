from django.urls import path

from documents import views

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
]
