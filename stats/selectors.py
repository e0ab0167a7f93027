"""Figures of the programme, public and for the High Commission.

Public figures are counts only: candidacies submitted and labels per wave,
labelled territories per région, published challenges per theme and where
their objectives stand. No name of a candidacy that was not labelled ever
leaves this module. Every function runs a fixed number of queries, whatever
the number of rows.
"""

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from applications.enums import CandidacyState
from applications.models import Candidacy, Wave
from challenges.enums import Progress, Theme
from challenges.models import Objective
from challenges.selectors import public_challenges, standing_of, with_progress
from frenchimpact.subqueries import count_of
from reviews.enums import ConflictStatus, ReviewState
from reviews.models import Decision, ExpertRequest
from territories import maps
from territories.models import Label, Region, Territory

# a reviewer's report is late when still not submitted this many days after
# the assignment, while the candidacy is under review
REVIEW_EXPECTED_DAYS = 21


# --- public ------------------------------------------------------------------


@dataclass(frozen=True)
class WaveFigures:
    number: int
    name: str
    candidacies: int  # submitted (drafts never count)
    labels: int  # labels issued for the wave, whatever their status today

    @property
    def candidacies_recorded(self) -> bool:
        """False for a wave whose labels were awarded before the portal
        existed (its candidacies were never deposited here): showing « 0
        candidatures » beside its labels would be wrong."""
        return self.candidacies > 0 or self.labels == 0


def waves_figures(now=None) -> list[WaveFigures]:
    """Candidacies submitted and labels issued per wave opened so far (one
    query)."""
    now = now or timezone.now()
    waves = (
        Wave.objects.filter(opens_at__lte=now)
        .annotate(
            submitted=count_of(
                Candidacy.objects.filter(
                    wave=OuterRef("pk"), submitted_at__isnull=False
                ),
                "wave",
            ),
            labelled=count_of(Label.objects.filter(wave=OuterRef("pk")), "wave"),
        )
        .order_by("opens_at", "number")
    )
    return [
        WaveFigures(wave.number, wave.name, wave.submitted, wave.labelled)
        for wave in waves
    ]


@dataclass(frozen=True)
class RegionFigures:
    code: str
    name: str
    territories: int
    department_codes: tuple[str, ...]


def labelled_by_region() -> list[RegionFigures]:
    """Labelled territories per région (two queries). A territory across two
    régions counts in both."""
    from django.db.models import Prefetch

    from territories.models import Department

    regions = (
        Region.objects.annotate(
            labelled=Count(
                "territories",
                filter=Q(territories__in=Territory.objects.labelled()),
                distinct=True,
            )
        )
        .filter(labelled__gt=0)
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.only("code", "region"))
        )
        .order_by("name")
    )
    return [
        RegionFigures(
            region.code,
            region.name,
            region.labelled,
            tuple(d.code for d in region.departments.all()),
        )
        for region in regions
    ]


def region_markers(rows: list[RegionFigures]) -> list[maps.Marker]:
    """One marker per région, at the centre of its départements, linking to
    the directory filtered on it."""
    directory = reverse("territories:directory")
    markers = []
    for row in rows:
        point = maps.point_for_departments(row.department_codes)
        if point is None:
            continue
        label = ngettext(
            "%(region)s : %(count)d territoire labellisé",
            "%(region)s : %(count)d territoires labellisés",
            row.territories,
        ) % {"region": row.name, "count": row.territories}
        markers.append(
            maps.Marker(
                label=label,
                url=f"{directory}?{urlencode({'region': row.code})}",
                x=round(point[0], 1),
                y=round(point[1], 1),
                count=row.territories,
            )
        )
    return markers


def challenges_per_theme() -> list[tuple[str, str, int]]:
    """(theme, label, published challenges of labelled territories), every
    theme listed (one query)."""
    counts = dict(
        public_challenges()
        .order_by()
        .values("theme")
        .annotate(n=Count("pk"))
        .values_list("theme", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Theme.choices]


def progress_totals(today=None) -> list[tuple[str, str, int]]:
    """(status, label, objectives) over the published challenges' objectives,
    standing computed as on the challenge pages (one query)."""
    today = today or timezone.localdate()
    objectives = with_progress(
        Objective.objects.filter(project__challenge__in=public_challenges())
    )
    counts = Counter(standing_of(o, today).status for o in objectives)
    return [(value, label, counts.get(value, 0)) for value, label in Progress.choices]


# --- staff -------------------------------------------------------------------


@dataclass(frozen=True)
class DelayFigures:
    wave: Wave
    decisions: int
    median: float | None  # days from submission to published decision
    first_quartile: float | None
    third_quartile: float | None
    shortest: int | None
    longest: int | None


def decision_delays() -> list[DelayFigures]:
    """Days from submission to the published decision, per wave: median,
    quartiles, shortest and longest (two queries)."""
    rows = Decision.objects.filter(
        published_at__isnull=False, candidacy__submitted_at__isnull=False
    ).values_list("candidacy__wave_id", "candidacy__submitted_at", "published_at")
    days: dict[int, list[int]] = {}
    for wave_id, submitted_at, published_at in rows:
        days.setdefault(wave_id, []).append(max(0, (published_at - submitted_at).days))
    figures = []
    for wave in Wave.objects.order_by("opens_at", "number"):
        values = sorted(days.get(wave.pk, []))
        if not values:
            figures.append(DelayFigures(wave, 0, None, None, None, None, None))
            continue
        if len(values) > 1:
            q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = q3 = float(values[0])
        figures.append(
            DelayFigures(
                wave,
                len(values),
                statistics.median(values),
                round(q1, 1),
                round(q3, 1),
                values[0],
                values[-1],
            )
        )
    return figures


@dataclass
class Workload:
    reviewer: object
    assignments: int = 0
    submitted: int = 0
    pending: int = 0
    late: int = 0
    conflicts: int = 0


def reviewer_workload(now=None) -> list[Workload]:
    """Per reviewer, over every wave: assignments, reports submitted,
    pending and late (see ``REVIEW_EXPECTED_DAYS``), conflicts declared.
    One query, counted by the database: ten years of programme hold tens
    of thousands of assignments."""
    from accounts.models import User

    now = now or timezone.now()
    limit = now - dt.timedelta(days=REVIEW_EXPECTED_DAYS)
    conflict = Q(assignments__conflict_status=ConflictStatus.CONFLICT)
    reported = Q(assignments__review__state=ReviewState.SUBMITTED)
    submitted = ~conflict & reported
    late = (
        ~conflict
        & ~reported
        & Q(
            assignments__candidacy__state__in=[
                CandidacyState.UNDER_REVIEW,
                CandidacyState.RESUBMITTED,
            ],
            assignments__created_at__lt=limit,
        )
    )
    reviewers = (
        User.objects.annotate(
            n_assignments=Count("assignments"),
            n_conflicts=Count("assignments", filter=conflict),
            n_submitted=Count("assignments", filter=submitted),
            n_late=Count("assignments", filter=late),
        )
        .filter(n_assignments__gt=0)
        .order_by("last_name", "email", "pk")
    )
    rows = [
        Workload(
            reviewer=reviewer,
            assignments=reviewer.n_assignments,
            submitted=reviewer.n_submitted,
            pending=reviewer.n_assignments
            - reviewer.n_conflicts
            - reviewer.n_submitted,
            late=reviewer.n_late,
            conflicts=reviewer.n_conflicts,
        )
        for reviewer in reviewers
    ]
    return sorted(rows, key=lambda w: (-w.pending, -w.assignments))


def late_expert_requests(today=None):
    """Expert opinions not given past their due date, oldest first (one
    query)."""
    today = today or timezone.localdate()
    return list(
        ExpertRequest.objects.filter(answered_at__isnull=True, due_on__lt=today)
        .select_related("candidacy", "expert")
        .order_by("due_on", "pk")
    )
