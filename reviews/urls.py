from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("instruction/", views.waves, name="waves"),
    path("instruction/vagues/<int:wave_pk>/", views.wave_dashboard, name="wave"),
    path(
        "instruction/vagues/<int:wave_pk>/rapport.pdf",
        views.wave_report,
        name="wave_report",
    ),
    path(
        "instruction/vagues/<int:wave_pk>/certificats/",
        views.wave_certificates,
        name="wave_certificates",
    ),
    path("instruction/candidatures/<int:pk>/", views.candidacy, name="candidacy"),
    path(
        "instruction/vagues/<int:wave_pk>/candidatures.<str:fmt>",
        views.wave_export,
        name="wave_export",
    ),
    path(
        "instruction/vagues/<int:wave_pk>/instructeurs.<str:fmt>",
        views.wave_reviewers_export,
        name="wave_reviewers_export",
    ),
    path(
        "instruction/candidatures/<int:pk>/journal.<str:fmt>",
        views.candidacy_audit_export,
        name="candidacy_audit_export",
    ),
    path("instruction/mes-dossiers/", views.my_assignments, name="my_assignments"),
    path("instruction/affectations/<int:pk>/", views.assignment, name="assignment"),
    path("avis/", views.expert_requests, name="expert_requests"),
    path("avis/<int:pk>/", views.expert_request, name="expert_request"),
    path(
        "instruction/avis/<int:pk>/piece/",
        views.expert_attachment,
        name="expert_attachment",
    ),
    path("candidatures/<int:pk>/rapport/", views.team_report, name="team_report"),
    path(
        "instruction/candidatures/<int:pk>/rapport/",
        views.staff_report,
        name="staff_report",
    ),
    path("candidatures/<int:pk>/messages/", views.team_message, name="team_message"),
]
