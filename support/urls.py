from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    # team (and staff)
    path("", views.home, name="home"),
    path("plans/nouveau/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/soumettre/", views.plan_submit, name="plan_submit"),
    path(
        "plans/<int:pk>/versions/<int:number>/",
        views.plan_version,
        name="plan_version",
    ),
    path("plans/<int:pk>/actions/ajouter/", views.action_add, name="action_add"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/supprimer/", views.action_delete, name="action_delete"),
    path(
        "actions/<int:pk>/jalons/ajouter/",
        views.milestone_add,
        name="milestone_add",
    ),
    path("jalons/<int:pk>/statut/", views.milestone_status, name="milestone_status"),
    path("jalons/<int:pk>/supprimer/", views.milestone_delete, name="milestone_delete"),
    path("freins/", views.barriers, name="barriers"),
    path("freins/signaler/", views.barrier_report, name="barrier_report"),
    path("freins/<int:pk>/", views.barrier, name="barrier"),
    # staff
    path("suivi/plans/", views.staff_plans, name="staff_plans"),
    path("plans/<int:pk>/valider/", views.plan_validate, name="plan_validate"),
    path("plans/<int:pk>/renvoyer/", views.plan_send_back, name="plan_send_back"),
    path("guichet/", views.desk, name="desk"),
    path("guichet/<int:pk>/", views.desk_barrier, name="desk_barrier"),
    # public
    path("freins-leves/", views.public_barriers, name="public_barriers"),
    path("territoires/<slug:slug>/plan/", views.public_plan, name="public_plan"),
]
