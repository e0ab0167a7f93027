"""Reads of territories for the public pages."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from challenges.models import Challenge, Objective, Project

from . import maps
from .models import Department, Label, Territory


def _public_labels() -> Prefetch:
    return Prefetch(
        "labels",
        queryset=Label.objects.public().select_related("wave").order_by("-awarded_on"),
        to_attr="public_labels",
    )


def directory_territories() -> QuerySet[Territory]:
    """Labelled territories with what a directory card shows.

    The number of queries does not depend on the number of territories: one
    for the page, one per prefetched relation.
    """
    return (
        Territory.objects.labelled()
        .select_related("lead_organisation")
        .prefetch_related("regions", _public_labels())
        .order_by("name")
    )


def map_markers(territories: QuerySet[Territory]) -> list[maps.Marker]:
    """Markers of the given territories on the map of France (two queries)."""
    rows = (
        Territory.objects.filter(pk__in=territories.values("pk"))
        .only("name", "slug")
        .order_by("name")
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.only("code"))
        )
    )
    directory = reverse("territories:directory")
    return maps.place_markers(
        (
            (
                territory.name,
                territory.get_absolute_url(),
                [department.code for department in territory.departments.all()],
            )
            for territory in rows
        ),
        group_url=lambda codes: f"{directory}?{urlencode({'departement': codes[0]})}",
    )


def public_territory(slug: str) -> Territory:
    """A labelled territory and everything its public page shows, or 404."""
    objectives = Objective.objects.select_related("indicator").order_by(
        "position", "pk"
    )
    projects = Project.objects.order_by("position", "name").prefetch_related(
        Prefetch("objectives", queryset=objectives)
    )
    challenges = (
        Challenge.objects.filter(is_published=True)
        .order_by("position", "title")
        .prefetch_related(Prefetch("projects", queryset=projects))
    )
    from support.models import PlanVersion

    queryset = (
        Territory.objects.labelled()
        .annotate(
            has_public_plan=Exists(
                PlanVersion.objects.filter(plan__territory=OuterRef("pk"))
            )
        )
        .select_related("lead_organisation")
        .prefetch_related(
            "regions",
            "departments",
            "priority_areas",
            Prefetch("challenges", queryset=challenges),
            _public_labels(),
        )
    )
    return get_object_or_404(queryset, slug=slug)


def territories_for_team(user) -> QuerySet[Territory]:
    """The labelled territories whose team ``user`` belongs to: members of a
    labelled candidacy of the territory."""
    from applications.enums import CandidacyState

    if not user.is_authenticated:
        return Territory.objects.none()
    return Territory.objects.filter(
        candidacies__state=CandidacyState.LABELLED,
        candidacies__memberships__user=user,
    ).distinct()
