from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("carte.svg", views.base_map, name="base_map"),
    path("<slug:slug>/", views.detail, name="detail"),
]
