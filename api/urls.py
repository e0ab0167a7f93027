from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("territories", views.TerritoryViewSet, basename="territories")
router.register("labels", views.LabelViewSet, basename="labels")
router.register("waves", views.WaveViewSet, basename="waves")
router.register("challenges", views.ChallengeViewSet, basename="challenges")
router.register("projects", views.ProjectViewSet, basename="projects")
router.register("objectives", views.ObjectiveViewSet, basename="objectives")
router.register(
    "progress-reports", views.ProgressReportViewSet, basename="progress-reports"
)

urlpatterns = [
    path("v1/", views.api_root, name="root"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
]
