"""Reads of the public API: only what the public pages already show.

Each list is computed in a fixed number of queries (a count, a page and one
query per prefetched relation), whatever the number of rows.
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from applications.models import Wave
from challenges.models import Challenge, Objective, ProgressReport, Project
from challenges.selectors import public_challenges, with_progress
from territories.enums import PUBLIC_LABEL_STATUSES
from territories.models import Label, Territory


def api_territories() -> QuerySet[Territory]:
    """Labelled territories, their geography, lead organisation and public
    labels (five queries for a page)."""
    return (
        Territory.objects.labelled()
        .select_related("lead_organisation")
        .prefetch_related(
            "regions",
            "departments",
            Prefetch(
                "labels",
                queryset=Label.objects.public()
                .select_related("wave__call")
                .order_by("-awarded_on", "pk"),
                to_attr="public_labels",
            ),
        )
        .order_by("name", "pk")
    )


def api_labels() -> QuerySet[Label]:
    """Active labels, with or without conditions (suspended, revoked and
    expired labels are shown only by the verification page)."""
    return (
        Label.objects.public()
        .select_related("territory", "wave__call")
        .order_by("-awarded_on", "number")
    )


def api_waves() -> QuerySet[Wave]:
    """Waves of the call (their dates are published on the call page), with
    the number of their active labels."""
    return (
        Wave.objects.select_related("call")
        .annotate(
            label_count=Count(
                "labels", filter=Q(labels__status__in=PUBLIC_LABEL_STATUSES)
            )
        )
        .order_by("call__opened_on", "call__slug", "number")
    )


def api_challenges() -> QuerySet[Challenge]:
    return (
        public_challenges()
        .select_related("territory")
        .order_by("territory__name", "position", "title", "pk")
    )


def api_projects() -> QuerySet[Project]:
    return (
        Project.objects.filter(challenge__in=public_challenges())
        .select_related("challenge__territory")
        .order_by(
            "challenge__territory__name",
            "challenge__position",
            "position",
            "name",
            "pk",
        )
    )


def api_objectives() -> QuerySet[Objective]:
    return with_progress(
        Objective.objects.filter(project__challenge__in=public_challenges())
        .select_related("project__challenge__territory")
        .order_by("project__challenge__territory__name", "project_id", "position", "pk")
    )


def api_progress_reports() -> QuerySet[ProgressReport]:
    """Measures of published objectives: date, value and comment; never the
    evidence file nor who recorded it."""
    return (
        ProgressReport.objects.filter(
            objective__project__challenge__in=public_challenges()
        )
        .select_related("objective__project__challenge__territory")
        .only(
            "pk",
            "reported_on",
            "value",
            "comment",
            "objective__project_id",
            "objective__project__challenge_id",
            "objective__project__challenge__territory__slug",
        )
        .order_by("objective_id", "reported_on", "pk")
    )
