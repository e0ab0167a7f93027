"""Object permissions of support plans and regulatory barriers, as `rules`
predicates on top of the territory's follow-up rule.

A plan or a barrier belongs to its territory: the territory's team and the
High Commission follow it. Lists filter with the same rule
(:mod:`support.selectors`), so a list never shows what a page refuses.
Services still check the state.
"""

import rules

from applications.rules import is_programme_staff
from territories.rules import is_territory_member

from .enums import EDITABLE_PLAN_STATES, PlanState


@rules.predicate
def is_plan_team(user, plan):
    return plan is not None and is_territory_member(user, plan.territory)


@rules.predicate
def is_plan_editable(user, plan):
    return plan is not None and plan.state in EDITABLE_PLAN_STATES


@rules.predicate
def is_plan_draft(user, plan):
    return plan is not None and plan.state == PlanState.DRAFT


@rules.predicate
def is_plan_submitted(user, plan):
    return plan is not None and plan.state == PlanState.SUBMITTED


@rules.predicate
def is_barrier_team(user, barrier):
    return barrier is not None and is_territory_member(user, barrier.territory)


rules.add_perm("support.view_plan", is_plan_team | is_programme_staff)
rules.add_perm(
    "support.change_plan", (is_plan_team | is_programme_staff) & is_plan_editable
)
rules.add_perm("support.comment_plan", is_plan_team | is_programme_staff)
rules.add_perm("support.submit_plan", is_plan_team & is_plan_draft)
rules.add_perm("support.validate_plan", is_programme_staff & is_plan_submitted)
rules.add_perm("support.view_barrier", is_barrier_team | is_programme_staff)
rules.add_perm("support.manage_barriers", is_programme_staff)
