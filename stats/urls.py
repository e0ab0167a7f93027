from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.public, name="public"),
    path("pilotage/", views.staff, name="staff"),
]
