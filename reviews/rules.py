"""Who sees what in the review, as `rules` predicates."""

import rules

from applications.rules import is_programme_staff

from .enums import ConflictStatus, ReviewState


@rules.predicate
def is_assigned_without_conflict(user, candidacy):
    if not user.is_authenticated or candidacy is None:
        return False
    return candidacy.assignments.filter(
        reviewer=user, conflict_status=ConflictStatus.NONE
    ).exists()


@rules.predicate
def has_submitted_own_review(user, candidacy):
    if not user.is_authenticated or candidacy is None:
        return False
    return candidacy.assignments.filter(
        reviewer=user, review__state=ReviewState.SUBMITTED
    ).exists()


rules.add_perm(
    "reviews.read_candidacy", is_programme_staff | is_assigned_without_conflict
)
# by default, a reviewer sees the others' reviews once theirs is submitted
rules.add_perm(
    "reviews.see_other_reviews",
    is_programme_staff | (is_assigned_without_conflict & has_submitted_own_review),
)
rules.add_perm("reviews.manage", is_programme_staff)
