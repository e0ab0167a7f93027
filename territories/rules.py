"""Object permissions on a labelled territory's follow-up (support plan,
challenges, progress reports, regulatory barriers), as `rules` predicates.

A territory's team is the team of its labelled candidacy: the people who
applied keep working on the plan and the challenges after the decision.
Views check these rules with ``has_perm``; lists filter with
:func:`territories.selectors.territories_for_team`, the same rule.
"""

import rules

from applications.rules import is_programme_staff


@rules.predicate
def is_territory_member(user, territory):
    if not user.is_authenticated or territory is None:
        return False
    from .selectors import territories_for_team

    return territories_for_team(user).filter(pk=territory.pk).exists()


rules.add_perm("territories.follow_up", is_territory_member | is_programme_staff)
rules.add_perm("territories.edit_follow_up", is_territory_member | is_programme_staff)
rules.add_perm("territories.manage_follow_up", is_programme_staff)
