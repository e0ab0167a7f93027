"""Reads of territories for the public pages."""

from django.db.models import (
    CharField,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from applications.models import Wave
from challenges.models import Challenge, Objective, Project
from frenchimpact.text import fold

from . import maps
from .enums import PUBLIC_LABEL_STATUSES
from .models import Department, Label, Region, Territory


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


def directory_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices of the directory's région, département and wave filters, in
    one query (a UNION): the régions and départements of the labelled
    territories, the waves that awarded a label. Keyed by filter name, each
    a list of ``(value, label)`` in the order of the models."""
    text = CharField()
    regions = (
        Region.objects.filter(territories__labels__status__in=PUBLIC_LABEL_STATUSES)
        .order_by()
        .values_list(
            Value("region", output_field=text),
            "code",
            "name",
            Cast(Value(None), output_field=DateField()),
            Value(0, output_field=IntegerField()),
        )
    )
    departments = (
        Department.objects.filter(territories__labels__status__in=PUBLIC_LABEL_STATUSES)
        .order_by()
        .values_list(
            Value("departement", output_field=text),
            "code",
            "name",
            Cast(Value(None), output_field=DateField()),
            Value(0, output_field=IntegerField()),
        )
    )
    waves = (
        Wave.objects.filter(labels__isnull=False)
        .order_by()
        .values_list(
            Value("wave", output_field=text),
            Cast("number", output_field=text),
            "name",
            "call__opened_on",
            "number",
        )
    )
    rows = list(regions.union(departments, waves))  # UNION: distinct rows
    choices: dict[str, list[tuple[str, str]]] = {
        "region": [],
        "departement": [],
        "wave": [],
    }
    sort_keys = {
        "region": lambda row: fold(row[2]),  # Region.Meta.ordering: name
        "departement": lambda row: row[1],  # Department.Meta.ordering: code
        # Wave.Meta.ordering: call (the latest opened first), number
        "wave": lambda row: (-row[3].toordinal() if row[3] else 0, row[4]),
    }
    for name, key in sort_keys.items():
        seen = set()
        for row in sorted((row for row in rows if row[0] == name), key=key):
            if row[1] in seen:  # a wave number reused by another call
                continue
            seen.add(row[1])
            label = f"{row[2]} ({row[1]})" if name == "departement" else row[2]
            choices[name].append((row[1], label))
    return choices


def map_markers(territories: QuerySet[Territory]) -> list[maps.Marker]:
    """Markers of the given territories on the map of France (one query: the
    territory-département pairs, with the names and slugs of the territories;
    a territory without a département has no place on the map anyway)."""
    rows = (
        Territory.departments.through.objects.filter(
            territory__in=territories.values("pk")
        )
        .order_by("territory__name", "territory_id", "department__code")
        .values_list(
            "territory_id", "territory__name", "territory__slug", "department__code"
        )
    )
    territories_codes: dict[int, tuple[str, str, list[str]]] = {}
    for pk, name, slug, code in rows:
        territories_codes.setdefault(pk, (name, slug, []))[2].append(code)
    directory = reverse("territories:directory")
    return maps.place_markers(
        (
            (name, Territory(name=name, slug=slug).get_absolute_url(), codes)
            for name, slug, codes in territories_codes.values()
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
