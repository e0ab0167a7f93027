"""Reads of the review: the ranking of a wave and a candidacy's figures."""

from django.db.models import Prefetch

from applications.models import Candidacy, Criterion

from .enums import ConflictStatus, ReviewState
from .models import Assignment, Review, Score
from .scoring import scores_of


def _reviews_prefetch():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related(
            "reviewer", "review"
        ).prefetch_related(
            Prefetch("review__scores", queryset=Score.objects.order_by("criterion_id"))
        ),
    )


def submitted_reviews(candidacy) -> list[Review]:
    return [
        a.review
        for a in candidacy.assignments.all()
        if a.conflict_status == ConflictStatus.NONE
        and hasattr(a, "review")
        and a.review.state == ReviewState.SUBMITTED
    ]


def ranking(wave, *, state=None, disagreement=None, order="total"):
    """The candidacies of a wave with their figures, ranked.

    Five queries whatever the number of candidacies: candidacies (with their
    decision), criteria, assignments (with reviewers and reviews), scores.
    """
    criteria = list(Criterion.objects.filter(wave=wave).order_by("position"))
    candidacies = (
        Candidacy.objects.filter(wave=wave)
        .exclude(state__in=["draft", "withdrawn"])
        .select_related("territory", "decision")
        .prefetch_related(_reviews_prefetch())
    )
    if state:
        candidacies = candidacies.filter(state=state)
    rows = []
    for candidacy in candidacies:
        assignments = list(candidacy.assignments.all())
        figures = scores_of(submitted_reviews(candidacy), criteria)
        rows.append(
            {
                "candidacy": candidacy,
                "figures": figures,
                "assigned": sum(
                    a.conflict_status != ConflictStatus.CONFLICT for a in assignments
                ),
                "submitted": figures.count,
                "conflicts": sum(
                    a.conflict_status == ConflictStatus.CONFLICT for a in assignments
                ),
            }
        )
    if disagreement is not None:
        rows = [r for r in rows if r["figures"].disagreement == disagreement]
    keys = {
        "total": lambda r: (r["figures"].mean is None, -(r["figures"].mean or 0)),
        "reference": lambda r: r["candidacy"].reference,
        "state": lambda r: r["candidacy"].state,
        "spread": lambda r: -(r["figures"].spread or 0),
    }
    rows.sort(key=keys.get(order, keys["total"]))
    return criteria, rows


def candidacy_for_review(pk) -> Candidacy:
    return (
        Candidacy.objects.select_related("wave", "territory")
        .prefetch_related(
            _reviews_prefetch(),
            "contacts",
            "partners",
            "challenges",
            "attachments",
            "memberships__user",
            Prefetch("wave__criteria", queryset=Criterion.objects.order_by("position")),
        )
        .get(pk=pk)
    )
