"""Reads for the staff dashboard: plans behind schedule, the staff list."""

import datetime as dt

import pytest

from support import selectors, services
from support.models import Milestone

from .helpers import empty_plan, team_territory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)


def _plan_with_milestones(*milestones):
    """A plan with one action holding (due date, status) milestones."""
    team = team_territory()
    plan = empty_plan(team)
    action = services.add_action(
        plan=plan,
        actor=team.member,
        axis="strategy",
        title="Animer l'écosystème",
        owner_kind="territory",
        owner_name="Équipe",
    )
    for n, (due_on, status) in enumerate(milestones):
        milestone = services.add_milestone(
            action=action, actor=team.member, title=f"Jalon {n}", due_on=due_on
        )
        Milestone.objects.filter(pk=milestone.pk).update(status=status)
    return plan


def test_plans_behind_schedule_counts_late_milestones(django_assert_num_queries):
    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    one_late = _plan_with_milestones(
        (yesterday, "planned"),  # late
        (yesterday, "done"),  # done: not late
        (TODAY, "planned"),  # due today: not late yet
        (tomorrow, "in_progress"),
    )
    two_late = _plan_with_milestones(
        (dt.date(2024, 1, 1), "blocked"),
        (dt.date(2025, 1, 1), "in_progress"),
    )
    _plan_with_milestones((yesterday, "done"), (tomorrow, "planned"))  # on time
    empty_plan(team_territory())  # no milestone at all

    with django_assert_num_queries(1):
        rows = [
            (plan.pk, plan.territory.name, plan.late_milestones)
            for plan in selectors.plans_behind_schedule(today=TODAY)
        ]

    assert rows == [
        (two_late.pk, two_late.territory.name, 2),
        (one_late.pk, one_late.territory.name, 1),
    ]


def test_plans_behind_schedule_defaults_to_today():
    plan = _plan_with_milestones((dt.date(2000, 1, 1), "planned"))

    assert [p.pk for p in selectors.plans_behind_schedule()] == [plan.pk]


def test_staff_plans_counts_do_not_multiply(django_assert_num_queries):
    plan = _plan_with_milestones(
        (dt.date(2024, 1, 1), "planned"),
        (dt.date(2024, 2, 1), "planned"),
        (dt.date(2030, 1, 1), "planned"),
    )
    services.add_action(
        plan=plan,
        actor=plan.created_by,
        axis="impact",
        title="Deuxième",
        owner_kind="state",
        owner_name="État",
    )

    with django_assert_num_queries(1):
        row = selectors.staff_plans(today=TODAY).get(pk=plan.pk)

    assert (row.action_count, row.late_milestones, row.validated_version) == (
        2,
        2,
        None,
    )


def test_plan_axes_lists_the_six_axes_in_order_with_late_flags():
    plan = _plan_with_milestones(
        (dt.date(2000, 1, 1), "planned"), (dt.date(2999, 1, 1), "planned")
    )

    axes = selectors.plan_axes(plan, today=TODAY)

    assert [block.number for block in axes] == [1, 2, 3, 4, 5, 6]
    assert [len(block.actions) for block in axes] == [1, 0, 0, 0, 0, 0]
    milestones = list(axes[0].actions[0].milestones.all())
    assert [m.late for m in milestones] == [True, False]


def test_version_axes_survive_unknown_values():
    team = team_territory()
    plan = empty_plan(team)
    from support.models import PlanVersion

    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        validated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        snapshot={
            "axes": [
                {
                    "axis": "impact",
                    "actions": [
                        {
                            "title": "Ancienne action",
                            "lever": "retire",
                            "owner_kind": "autre",
                            "owner_name": "X",
                            "milestones": [
                                {"title": "J", "due_on": "pas une date", "status": "?"}
                            ],
                        }
                    ],
                }
            ]
        },
    )

    axes = selectors.version_axes(version)

    action = axes[4].actions[0]
    assert action["title"] == "Ancienne action"
    assert action["lever_label"] == "" and action["owner_kind_label"] == "autre"
    assert action["milestones"][0]["due_on"] is None
