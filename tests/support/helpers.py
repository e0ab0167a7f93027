"""Helpers of the follow-up tests: labelled territories with their team,
plans with actions and milestones."""

from dataclasses import dataclass

from accounts.models import User
from applications.enums import CandidacyState
from applications.models import Candidacy
from support import services
from support.models import SupportPlan
from territories.models import Territory
from tests.factories import candidacy_for, labelled_territory


@dataclass
class Team:
    territory: Territory
    member: User


def team_territory(**kwargs) -> Team:
    """A labelled territory whose labelled candidacy's team has one member
    (the candidacy's lead). The quick path: the decision flow itself is
    exercised in ``test_permissions``."""
    territory = labelled_territory(**kwargs)
    candidacy = candidacy_for()
    Candidacy.objects.filter(pk=candidacy.pk).update(
        state=CandidacyState.LABELLED, territory=territory
    )
    return Team(territory=territory, member=candidacy.created_by)


def empty_plan(team: Team, actor=None) -> SupportPlan:
    """A plan without the seeded actions."""
    return services.create_plan(
        territory=team.territory, actor=actor or team.member, seed=False
    )


def plan_with(team: Team, *, actions: int, milestones: int = 0, actor=None):
    """A plan with ``actions`` actions of ``milestones`` milestones each,
    spread over the six axes."""
    import datetime as dt

    from territories.enums import SupportAxis

    actor = actor or team.member
    plan = empty_plan(team, actor)
    axes = list(SupportAxis.values)
    for n in range(actions):
        action = services.add_action(
            plan=plan,
            actor=actor,
            axis=axes[n % len(axes)],
            title=f"Action {n}",
            owner_kind="territory",
            owner_name="Clus'Ter Jura",
        )
        for m in range(milestones):
            services.add_milestone(
                action=action,
                actor=actor,
                title=f"Jalon {n}.{m}",
                due_on=dt.date(2030, 1, 1) + dt.timedelta(days=m),
            )
    return plan
