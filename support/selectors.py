"""Reads of support plans and regulatory barriers.

Lists filter with the same rule as the pages (the territory's team, or the
High Commission), so that a list never shows what a page refuses.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from frenchimpact.subqueries import count_of
from territories.enums import SupportAxis
from territories.models import Territory
from territories.selectors import territories_for_team

from .enums import AXIS_LEVERS, BarrierState, Lever, MilestoneStatus, OwnerKind
from .models import (
    Action,
    Comment,
    Milestone,
    PlanVersion,
    RegulatoryBarrier,
    SupportPlan,
)


def _is_staff(user) -> bool:
    return user.is_authenticated and user.is_programme_staff


def _late_milestones(today: dt.date) -> QuerySet:
    return Milestone.objects.filter(
        action__plan=OuterRef("pk"), due_on__lt=today
    ).exclude(status=MilestoneStatus.DONE)


# --- Plans --------------------------------------------------------------------


def plans_for_user(user) -> QuerySet[SupportPlan]:
    """The plans ``user`` may see: their territories' (staff see all)."""
    plans = SupportPlan.objects.select_related("territory")
    if _is_staff(user):
        return plans
    return plans.filter(territory__in=territories_for_team(user))


def plan_for_user(user, pk: int) -> SupportPlan:
    """One plan ``user`` may see, or 404 (never 403: no existence leak)."""
    plan = plans_for_user(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def action_for_user(user, pk: int) -> Action:
    action = (
        Action.objects.select_related("plan__territory")
        .filter(pk=pk, plan__in=plans_for_user(user))
        .first()
    )
    if action is None:
        raise Http404
    return action


def milestone_for_user(user, pk: int) -> Milestone:
    milestone = (
        Milestone.objects.select_related("action__plan__territory")
        .filter(pk=pk, action__plan__in=plans_for_user(user))
        .first()
    )
    if milestone is None:
        raise Http404
    return milestone


@dataclass
class AxisBlock:
    """One axis of a plan as a page shows it."""

    axis: str
    label: str
    number: int
    actions: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"axe-{self.number}"


def plan_axes(plan: SupportPlan, *, today: dt.date | None = None) -> list[AxisBlock]:
    """The six axes of ``plan`` with their actions, each with its milestones
    (``late`` set on each) and its comments, in three queries whatever the
    number of actions."""
    today = today or timezone.localdate()
    comments = Comment.objects.select_related("author").order_by("created_at", "pk")
    actions = (
        Action.objects.filter(plan=plan)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
            Prefetch("comments", queryset=comments),
        )
    )
    blocks = {
        axis.value: AxisBlock(axis=axis.value, label=axis.label, number=n)
        for n, axis in enumerate(SupportAxis, start=1)
    }
    for action in actions:
        for milestone in action.milestones.all():
            milestone.late = milestone.is_late(today)
        blocks[action.axis].actions.append(action)
    return list(blocks.values())


def plan_comments(plan: SupportPlan) -> QuerySet[Comment]:
    """The comments on the plan as a whole (not on one action)."""
    return (
        Comment.objects.filter(plan=plan, action__isnull=True)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def plan_versions(plan: SupportPlan) -> QuerySet[PlanVersion]:
    return (
        PlanVersion.objects.filter(plan=plan)
        .select_related("validated_by")
        .order_by("-number")
        .defer("snapshot")
    )


def staff_plans(today: dt.date | None = None) -> QuerySet[SupportPlan]:
    """Every plan with what the staff list shows, in one query: territory,
    number of actions, of late milestones, last validated version."""
    today = today or timezone.localdate()
    return (
        SupportPlan.objects.select_related("territory")
        .annotate(
            action_count=count_of(Action.objects.filter(plan=OuterRef("pk")), "plan"),
            late_milestones=count_of(_late_milestones(today), "action__plan"),
            validated_version=Subquery(
                PlanVersion.objects.filter(plan=OuterRef("pk"))
                .order_by("-number")
                .values("number")[:1]
            ),
        )
        .order_by("territory__name")
    )


def plans_behind_schedule(today: dt.date | None = None) -> QuerySet[SupportPlan]:
    """Plans with at least one milestone past due and not done, each with
    ``late_milestones`` (their count), most late first. One query."""
    today = today or timezone.localdate()
    return (
        SupportPlan.objects.select_related("territory")
        .annotate(late_milestones=count_of(_late_milestones(today), "action__plan"))
        .filter(late_milestones__gt=0)
        .order_by("-late_milestones", "territory__name")
    )


def territories_without_plan() -> QuerySet[Territory]:
    """Labelled territories whose plan has not been started."""
    return Territory.objects.labelled().filter(support_plan__isnull=True)


def latest_version(plan: SupportPlan) -> PlanVersion | None:
    return PlanVersion.objects.filter(plan=plan).order_by("-number").first()


def public_plan_version(slug: str) -> PlanVersion:
    """The last validated version of a labelled territory's plan, or 404."""
    version = (
        PlanVersion.objects.filter(
            plan__territory__slug=slug,
            plan__territory__in=Territory.objects.labelled(),
        )
        .select_related("plan__territory")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    return version


def has_public_plan(territory: Territory) -> bool:
    """Whether ``territory`` has a validated plan to show (for a link from
    its public page)."""
    return PlanVersion.objects.filter(plan__territory=territory).exists()


def version_for_user(user, plan_pk: int, number: int) -> PlanVersion:
    version = (
        PlanVersion.objects.filter(
            plan__in=plans_for_user(user), plan_id=plan_pk, number=number
        )
        .select_related("plan__territory", "validated_by")
        .first()
    )
    if version is None:
        raise Http404
    return version


def version_axes(version: PlanVersion) -> list[AxisBlock]:
    """A validated version's content, with the labels of today's language.
    Values that are no longer known are shown as they were stored."""
    stored = {
        block.get("axis"): block.get("actions", [])
        for block in (version.snapshot or {}).get("axes", [])
    }
    levers = dict(Lever.choices)
    owners = dict(OwnerKind.choices)
    statuses = dict(MilestoneStatus.choices)
    blocks = []
    for number, axis in enumerate(SupportAxis, start=1):
        block = AxisBlock(axis=axis.value, label=axis.label, number=number)
        for action in stored.get(axis.value, []):
            block.actions.append(
                {
                    **action,
                    "lever_label": levers.get(action.get("lever"), ""),
                    "owner_kind_label": owners.get(
                        action.get("owner_kind"), action.get("owner_kind", "")
                    ),
                    "milestones": [
                        {
                            **milestone,
                            "due_on": _date(milestone.get("due_on")),
                            "status_label": statuses.get(
                                milestone.get("status"), milestone.get("status", "")
                            ),
                        }
                        for milestone in action.get("milestones", [])
                    ],
                }
            )
        blocks.append(block)
    return blocks


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def lever_catalogue() -> list[tuple[str, list[tuple[str, str]]]]:
    """(axis label, [(lever, label), ...]) in the programme's order."""
    return [
        (axis.label, [(lever, Lever(lever).label) for lever in AXIS_LEVERS[axis]])
        for axis in SupportAxis
    ]


# --- Regulatory barriers ------------------------------------------------------


def barriers_for_user(user) -> QuerySet[RegulatoryBarrier]:
    """The barriers ``user`` may see: their territories' (staff see all)."""
    barriers = RegulatoryBarrier.objects.select_related("territory")
    if _is_staff(user):
        return barriers
    return barriers.filter(territory__in=territories_for_team(user))


def barrier_for_user(user, pk: int) -> RegulatoryBarrier:
    barrier = barriers_for_user(user).filter(pk=pk).first()
    if barrier is None:
        raise Http404
    return barrier


def desk_barriers(state: str | None = None) -> QuerySet[RegulatoryBarrier]:
    """The desk's list, optionally for one state; open ones first."""
    barriers = RegulatoryBarrier.objects.select_related("territory", "reporter")
    if state:
        barriers = barriers.filter(state=state)
    return barriers.order_by("-created_at", "-pk")


def desk_counts() -> dict[str, int]:
    """How many barriers are in each state (one query)."""
    rows = RegulatoryBarrier.objects.aggregate(
        **{
            state.value: Count("pk", filter=Q(state=state.value))
            for state in BarrierState
        }
    )
    return {state: rows.get(state, 0) for state in BarrierState.values}


def published_barriers() -> QuerySet[RegulatoryBarrier]:
    """Answered barriers made public, with nothing personal: the reporter is
    not even loaded."""
    return (
        RegulatoryBarrier.objects.published()
        .select_related("territory")
        .only(
            "pk",
            "title",
            "blocking",
            "legal_text",
            "impact",
            "response",
            "responded_at",
            "published_at",
            "state",
            "territory__name",
            "territory__slug",
        )
        .order_by("-published_at", "-pk")
    )
