"""Reads of the review: the ranking of a wave and a candidacy's figures."""

from django.db.models import Prefetch

from applications.models import Candidacy, Criterion

from .enums import ConflictStatus, Recommendation, ReviewState
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


# --- staff exports ------------------------------------------------------------


def wave_export(wave):
    """The candidacies of a wave with their scores and decisions, for the
    staff's export: the ranking's rows (five queries whatever their number)
    with the count of each recommendation of the submitted reviews."""
    criteria, rows = ranking(wave, order="reference")
    for row in rows:
        counts = dict.fromkeys(Recommendation.values, 0)
        for review in submitted_reviews(row["candidacy"]):
            if review.recommendation in counts:
                counts[review.recommendation] += 1
        row["recommendations"] = counts
        row["decision"] = getattr(row["candidacy"], "decision", None)
    return criteria, rows


def reviewer_workload(wave):
    """Per reviewer of a wave: assignments, reviews submitted and pending,
    conflicts declared and the mean of their weighted totals (out of 100).

    Three queries whatever the number of reviewers: criteria, assignments
    (with reviewers and reviews), scores.
    """
    criteria = list(Criterion.objects.filter(wave=wave).order_by("position"))
    assignments = (
        Assignment.objects.filter(candidacy__wave=wave)
        .select_related("reviewer", "review")
        .prefetch_related(
            Prefetch("review__scores", queryset=Score.objects.order_by("criterion_id"))
        )
        .order_by("reviewer__last_name", "reviewer__email", "pk")
    )
    people: dict[int, dict] = {}
    for assignment in assignments:
        row = people.setdefault(
            assignment.reviewer_id,
            {
                "reviewer": assignment.reviewer,
                "assignments": 0,
                "submitted": 0,
                "pending": 0,
                "conflicts": 0,
                "totals": [],
            },
        )
        row["assignments"] += 1
        if assignment.conflict_status == ConflictStatus.CONFLICT:
            row["conflicts"] += 1
            continue
        review = getattr(assignment, "review", None)
        if review is not None and review.state == ReviewState.SUBMITTED:
            row["submitted"] += 1
            figures = scores_of([review], criteria)
            row["totals"] += figures.totals
        else:
            row["pending"] += 1
    for row in people.values():
        totals = row.pop("totals")
        row["mean"] = round(sum(totals) / len(totals), 1) if totals else None
    return list(people.values())


def candidacy_audit(candidacy):
    """The audit entries of a candidacy, oldest first, with their authors."""
    from frenchimpact.audit import entries_for

    return entries_for(candidacy).order_by("created_at", "pk")
