from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("<int:pk>/", views.challenge, name="challenge"),
    path("projets/<int:pk>/", views.project, name="project"),
    # the territory's team
    path("suivi/", views.team, name="team"),
    path("suivi/territoires/<slug:slug>/", views.team_territory, name="team_territory"),
    path(
        "suivi/territoires/<slug:slug>/nouveau-defi/",
        views.challenge_edit,
        name="challenge_create",
    ),
    path(
        "suivi/territoires/<slug:slug>/campagnes/<int:campaign_pk>/transmettre/",
        views.campaign_submit,
        name="campaign_submit",
    ),
    path("suivi/defis/<int:pk>/", views.challenge_edit, name="challenge_edit"),
    path(
        "suivi/defis/<int:challenge_pk>/nouveau-projet/",
        views.project_edit,
        name="project_create",
    ),
    path("suivi/projets/<int:pk>/", views.project_edit, name="project_edit"),
    path(
        "suivi/projets/<int:project_pk>/nouvel-objectif/",
        views.objective_edit,
        name="objective_create",
    ),
    path("suivi/objectifs/<int:pk>/", views.objective_edit, name="objective_edit"),
    path(
        "suivi/objectifs/<int:objective_pk>/nouvelle-mesure/",
        views.report_create,
        name="report_create",
    ),
    path(
        "suivi/mesures/<int:pk>/supprimer/", views.report_delete, name="report_delete"
    ),
    path("suivi/mesures/<int:pk>/justificatif/", views.evidence, name="evidence"),
    # staff
    path("pilotage/", views.dashboard, name="dashboard"),
    path(
        "pilotage/campagnes/<int:pk>/clore/",
        views.campaign_close,
        name="campaign_close",
    ),
]
