from django.urls import path

from . import feeds, views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("fichiers/<str:name>", views.download, name="file"),
    path(
        "territoires-labellises.atom",
        feeds.LabelledTerritoriesFeed(),
        name="labelled_feed",
    ),
]
