from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("appel/", views.call, name="call"),
    path("mon-espace/", views.dashboard, name="dashboard"),
    path("candidatures/nouvelle/", views.create, name="create"),
    path("candidatures/<int:pk>/", views.detail, name="detail"),
    path("candidatures/<int:pk>/deposer/", views.submit, name="submit"),
    path("candidatures/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("candidatures/<int:pk>/equipe/inviter/", views.invite, name="invite"),
    path("candidatures/<int:pk>/pieces/", views.upload, name="upload"),
    path(
        "candidatures/<int:pk>/pieces/<int:attachment_pk>/",
        views.download_attachment,
        name="attachment",
    ),
    path(
        "candidatures/<int:pk>/pieces/<int:attachment_pk>/supprimer/",
        views.delete_attachment,
        name="delete_attachment",
    ),
    path(
        "candidatures/<int:pk>/recepisse/<int:number>/",
        views.download_receipt,
        name="receipt",
    ),
    path("candidatures/<int:pk>/<slug:slug>/", views.section, name="section"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation"),
]
