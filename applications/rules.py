"""Object permissions of candidacies, as `rules` predicates.

Views check them with ``has_perm``; lists filter with the same rule
(:func:`applications.selectors.candidacies_for_user`), so that a list never
shows what the detail page refuses.
"""

import rules

from .enums import EDITABLE_STATES, CandidacyState, TeamRole


@rules.predicate
def is_programme_staff(user):
    return user.is_authenticated and user.is_programme_staff


@rules.predicate
def is_team_member(user, candidacy):
    if not user.is_authenticated or candidacy is None:
        return False
    return any(m.user_id == user.pk for m in candidacy.memberships.all())


@rules.predicate
def is_lead(user, candidacy):
    if not user.is_authenticated or candidacy is None:
        return False
    return any(
        m.user_id == user.pk and m.role == TeamRole.LEAD
        for m in candidacy.memberships.all()
    )


@rules.predicate
def is_editable(user, candidacy):
    """The team edits a draft while its wave is open (Europe/Paris), and a
    file whose complements were requested."""
    if candidacy is None:
        return False
    if candidacy.state == CandidacyState.CHANGES_REQUESTED:
        return True
    return candidacy.state in EDITABLE_STATES and candidacy.wave.is_open()


@rules.predicate
def is_withdrawable(user, candidacy):
    return candidacy is not None and candidacy.state in {
        CandidacyState.DRAFT,
        CandidacyState.SUBMITTED,
    }


rules.add_perm("applications.view_candidacy", is_team_member | is_programme_staff)
rules.add_perm("applications.change_candidacy", is_team_member & is_editable)
rules.add_perm("applications.submit_candidacy", is_lead & is_editable)
rules.add_perm("applications.withdraw_candidacy", is_lead & is_withdrawable)
rules.add_perm("applications.invite_to_candidacy", is_lead & is_editable)
