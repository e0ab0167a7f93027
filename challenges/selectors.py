"""Reads of challenges, projects, objectives and their progress.

Every list is computed in a number of queries that depends neither on the
number of territories nor on the number of progress reports: the latest and
first measures of each objective come as subqueries of one query.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from applications.rules import is_programme_staff
from territories.models import Territory
from territories.selectors import territories_for_team

from .enums import CampaignStatus
from .models import (
    CampaignSubmission,
    Challenge,
    Indicator,
    Objective,
    ProgressReport,
    Project,
    ReportingCampaign,
)
from .progress import standing


def with_progress(objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """Objectives annotated with their first and latest measures."""
    reports = ProgressReport.objects.filter(objective=OuterRef("pk"))
    latest = reports.order_by("-reported_on", "-pk")
    first = reports.order_by("reported_on", "pk")
    return objectives.select_related("indicator").annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_on=Subquery(latest.values("reported_on")[:1]),
        first_value=Subquery(first.values("value")[:1]),
        first_on=Subquery(first.values("reported_on")[:1]),
        report_count=Subquery(
            reports.order_by()
            .values("objective")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
    )


def standing_of(objective: Objective, today=None):
    """The standing of an objective annotated by :func:`with_progress`."""
    return standing(
        target=objective.target,
        deadline=objective.deadline,
        baseline=objective.baseline,
        baseline_on=objective.baseline_on,
        latest=objective.latest_value,
        latest_on=objective.latest_on,
        first=objective.first_value,
        first_on=objective.first_on,
        today=today or timezone.localdate(),
    )


def attach_standings(objectives, today=None):
    today = today or timezone.localdate()
    for objective in objectives:
        objective.standing = standing_of(objective, today)
    return objectives


# --- public ----------------------------------------------------------------


def public_challenges() -> QuerySet[Challenge]:
    """Published challenges of territories with a public label."""
    return Challenge.objects.filter(
        is_published=True, territory__in=Territory.objects.labelled()
    )


def challenge_list() -> QuerySet[Challenge]:
    return (
        public_challenges()
        .select_related("territory")
        .prefetch_related("territory__regions")
        .annotate(
            project_count=Count("projects", distinct=True),
            objective_count=Count("projects__objectives", distinct=True),
        )
        .order_by("territory__name", "position", "title")
    )


def _projects_with_objectives() -> Prefetch:
    objectives = with_progress(Objective.objects.order_by("position", "pk"))
    projects = Project.objects.order_by("position", "name").prefetch_related(
        Prefetch("objectives", queryset=objectives)
    )
    return Prefetch("projects", queryset=projects)


def public_challenge(pk: int) -> Challenge:
    challenge = get_object_or_404(
        public_challenges()
        .select_related("territory")
        .prefetch_related(_projects_with_objectives()),
        pk=pk,
    )
    for project in challenge.projects.all():
        attach_standings(project.objectives.all())
    return challenge


def public_project(pk: int) -> Project:
    """A project of a published challenge, its objectives and every report
    (for the charts and the tables)."""
    reports = ProgressReport.objects.order_by("reported_on", "pk").only(
        "objective_id", "reported_on", "value", "comment", "evidence"
    )
    objectives = with_progress(Objective.objects.order_by("position", "pk"))
    project = get_object_or_404(
        Project.objects.filter(challenge__in=public_challenges())
        .select_related("challenge__territory")
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=objectives.prefetch_related(
                    Prefetch("reports", queryset=reports)
                ),
            )
        ),
        pk=pk,
    )
    attach_standings(project.objectives.all())
    return project


@dataclass(frozen=True)
class NationalTotal:
    indicator: str
    unit: str
    objectives: int
    territories: int
    measured: Decimal
    target: Decimal


def national_totals() -> list[NationalTotal]:
    """Per indicator whose unit adds up: the latest measures and the targets
    of the published objectives, summed across territories (one query)."""
    objectives = with_progress(
        Objective.objects.filter(project__challenge__in=public_challenges())
    ).annotate(territory_pk=F("project__challenge__territory_id"))
    rows = defaultdict(list)
    for objective in objectives:
        if objective.indicator.is_additive:
            rows[objective.indicator].append(objective)
    totals = [
        NationalTotal(
            indicator=indicator.name,
            unit=indicator.unit,
            objectives=len(items),
            territories=len({o.territory_pk for o in items}),
            measured=sum((o.latest_value or Decimal(0) for o in items), Decimal(0)),
            target=sum((o.target for o in items), Decimal(0)),
        )
        for indicator, items in rows.items()
    ]
    return sorted(totals, key=lambda t: t.indicator)


# --- team ------------------------------------------------------------------


def territories_followed_by(user) -> QuerySet[Territory]:
    """The territories whose follow-up ``user`` sees: their own team's, or
    every labelled territory for programme staff."""
    if is_programme_staff(user):
        return Territory.objects.labelled()
    return territories_for_team(user)


def team_territory(user, slug: str) -> Territory:
    """A territory the user follows, with its challenges, projects and
    objectives (annotated with their progress) and their reports, or 404."""
    reports = ProgressReport.objects.order_by("-reported_on", "-pk")
    challenges = Challenge.objects.order_by("position", "title").prefetch_related(
        _projects_with_objectives(),
        Prefetch("projects__objectives__reports", queryset=reports),
    )
    territory = get_object_or_404(
        territories_followed_by(user).prefetch_related(
            Prefetch("challenges", queryset=challenges)
        ),
        slug=slug,
    )
    for challenge in territory.challenges.all():
        for project in challenge.projects.all():
            attach_standings(project.objectives.all())
    return territory


def team_challenge(user, pk: int) -> Challenge:
    return get_object_or_404(
        Challenge.objects.filter(
            territory__in=territories_followed_by(user)
        ).select_related("territory"),
        pk=pk,
    )


def team_project(user, pk: int) -> Project:
    return get_object_or_404(
        Project.objects.filter(
            challenge__territory__in=territories_followed_by(user)
        ).select_related("challenge__territory"),
        pk=pk,
    )


def team_objective(user, pk: int) -> Objective:
    return get_object_or_404(
        Objective.objects.filter(
            project__challenge__territory__in=territories_followed_by(user)
        ).select_related("project__challenge__territory", "indicator"),
        pk=pk,
    )


def team_report(user, pk: int) -> ProgressReport:
    return get_object_or_404(
        ProgressReport.objects.filter(
            objective__project__challenge__territory__in=territories_followed_by(user)
        ).select_related("objective__project__challenge__territory"),
        pk=pk,
    )


def open_campaign() -> ReportingCampaign | None:
    today = timezone.localdate()
    return (
        ReportingCampaign.objects.filter(
            status=CampaignStatus.OPEN, opens_on__lte=today
        )
        .order_by("-year")
        .first()
    )


# --- staff -----------------------------------------------------------------


# what the staff's dashboard shows of an objective at risk, read as plain
# values with its standing's inputs (no model built for the others)
_AT_RISK_COLUMNS = (
    "pk",
    "statement",
    "target",
    "deadline",
    "baseline",
    "baseline_on",
    "indicator_id",
    "indicator__name",
    "indicator__unit",
    "project_id",
    "project__name",
    "project__challenge_id",
    "project__challenge__territory_id",
    "project__challenge__territory__name",
    "project__challenge__territory__slug",
    "latest_value",
    "latest_on",
    "first_value",
    "first_on",
)


def objectives_at_risk(today=None) -> list[Objective]:
    """Objectives of labelled territories projected to miss their target, or
    whose deadline has passed without reaching it (one query).

    The standing of every objective is computed from plain values (its
    target, deadline, baseline and its first and latest measures, as
    subqueries); only the alarming ones become objects, with their project,
    challenge, territory and indicator.
    """
    today = today or timezone.localdate()
    # one report per objective and day (``report_one_per_day``): the date
    # alone orders them, which lets the database read only its index
    reports = ProgressReport.objects.filter(objective=OuterRef("pk"))
    latest = reports.order_by("-reported_on")
    first = reports.order_by("reported_on")
    rows = (
        Objective.objects.filter(
            project__challenge__territory__in=Territory.objects.labelled(),
            deadline__isnull=False,
        )
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("reported_on")[:1]),
            first_value=Subquery(first.values("value")[:1]),
            first_on=Subquery(first.values("reported_on")[:1]),
        )
        .order_by("deadline", "pk")
        .values(*_AT_RISK_COLUMNS)
    )
    at_risk = []
    for row in rows:
        found = standing(
            target=row["target"],
            deadline=row["deadline"],
            baseline=row["baseline"],
            baseline_on=row["baseline_on"],
            latest=row["latest_value"],
            latest_on=row["latest_on"],
            first=row["first_value"],
            first_on=row["first_on"],
            today=today,
        )
        if not found.is_alarming:
            continue
        territory = Territory(
            pk=row["project__challenge__territory_id"],
            name=row["project__challenge__territory__name"],
            slug=row["project__challenge__territory__slug"],
        )
        challenge = Challenge(pk=row["project__challenge_id"], territory=territory)
        project = Project(
            pk=row["project_id"], name=row["project__name"], challenge=challenge
        )
        indicator = Indicator(
            pk=row["indicator_id"],
            name=row["indicator__name"],
            unit=row["indicator__unit"],
        )
        objective = Objective(
            pk=row["pk"],
            statement=row["statement"],
            target=row["target"],
            deadline=row["deadline"],
            baseline=row["baseline"],
            baseline_on=row["baseline_on"],
            project=project,
            indicator=indicator,
        )
        for name in ("latest_value", "latest_on", "first_value", "first_on"):
            setattr(objective, name, row[name])
        objective.standing = found
        at_risk.append(objective)
    return at_risk


@dataclass(frozen=True)
class CampaignCompletion:
    campaign: ReportingCampaign
    expected: int
    submitted: int
    missing: list

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 100


def _reporting_territories() -> QuerySet[Territory]:
    """The labelled territories that have objectives to report on."""
    return (
        Territory.objects.labelled()
        .filter(challenges__projects__objectives__isnull=False)
        .distinct()
    )


def campaign_completions(limit: int = 5) -> list[CampaignCompletion]:
    """The latest campaigns and which reporting territories have sent their
    follow-up for each (three queries, whatever the number of campaigns)."""
    campaigns = list(ReportingCampaign.objects.order_by("-year")[:limit])
    expected = list(_reporting_territories().order_by("name").only("name", "slug"))
    done = set(
        CampaignSubmission.objects.filter(campaign__in=campaigns).values_list(
            "campaign_id", "territory_id"
        )
    )
    completions = []
    for campaign in campaigns:
        missing = [t for t in expected if (campaign.pk, t.pk) not in done]
        completions.append(
            CampaignCompletion(
                campaign=campaign,
                expected=len(expected),
                submitted=len(expected) - len(missing),
                missing=missing,
            )
        )
    return completions


def territories_to_remind(campaign: ReportingCampaign) -> QuerySet[Territory]:
    return _reporting_territories().exclude(campaign_submissions__campaign=campaign)
