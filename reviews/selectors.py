"""Reads of the review: the ranking of a wave and a candidacy's figures."""

from decimal import Decimal

from django.db.models import Count, F, FloatField, Prefetch, Q, Sum
from django.db.models.functions import Cast

from applications.models import Candidacy, Criterion

from .enums import ConflictStatus, Recommendation, ReviewState
from .models import Assignment, Review, Score
from .scoring import CandidacyScores, scores_of


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


# the candidacy columns the ranking's readers use (page, CSV, exports, wave
# report): the long texts of the application are not loaded
RANKING_FIELDS = (
    "reference",
    "state",
    "created_at",
    "submitted_at",
    "territory_id",
    "territory_name",
    "territory_kind",
    "region_codes",
    "lead_name",
    "territory__name",
    "decision__candidacy_id",
    "decision__outcome",
    "decision__published_at",
)


def _review_rows(wave, criteria, candidacies):
    """Per submitted review of the wave's ``candidacies`` whose reviewer has
    no conflict, in the order of the assignments: (candidacy id,
    recommendation, weighted total out of 100 or None if a criterion is not
    scored). One query: the weighted sum and the count of scores of each
    review are aggregated by the database; only the final division and the
    rounding are done here, as :func:`scoring.weighted_total` does them."""
    weights = sum(Decimal(c.weight) for c in criteria)
    rows = (
        Review.objects.filter(
            assignment__candidacy__in=candidacies,
            assignment__conflict_status=ConflictStatus.NONE,
            state=ReviewState.SUBMITTED,
        )
        .annotate(
            scored=Count("scores", filter=Q(scores__criterion__wave=wave)),
            weighted=Sum(
                # in floating point on every database (SQLite would divide
                # integers): equal to the reference's Decimal sum but for a
                # total within a few ulps of a rounding boundary
                Cast(F("scores__value"), FloatField())
                * Cast(F("scores__criterion__weight"), FloatField())
                / F("scores__criterion__scale_max"),
                filter=Q(scores__criterion__wave=wave),
                output_field=FloatField(),
            ),
        )
        .order_by("assignment__candidacy_id", "assignment__created_at", "assignment_id")
        .values_list(
            "pk", "assignment__candidacy_id", "recommendation", "scored", "weighted"
        )
    )
    for pk, candidacy_id, recommendation, scored, weighted in rows:
        total = None
        if criteria and scored == len(criteria):
            total = round(float(Decimal(weighted) / weights * 100), 1)
        yield pk, candidacy_id, recommendation, total


def _with_fields(candidacies, fields):
    """``candidacies`` loading only ``fields``, with the relations they
    name joined (``territory__name``: the territory)."""
    candidacies = candidacies.only(*fields)
    related = sorted({name.split("__")[0] for name in fields if "__" in name})
    if related:  # select_related() without names would follow every key
        candidacies = candidacies.select_related(*related)
    return candidacies


# what ranking and sorting alone read of a candidacy: the staff's page ranks
# the whole wave on these, then loads the rows it shows (``load_candidacies``)
RANKING_SORT_FIELDS = ("reference", "state")


def ranking(
    wave,
    *,
    state=None,
    disagreement=None,
    order="total",
    criterion_figures=False,
    recommendations=False,
    fields=RANKING_FIELDS,
):
    """The candidacies of a wave with their figures, ranked.

    Three queries whatever the number of candidacies and reviews: criteria,
    candidacies (with their territory's name and their decision), and the
    submitted reviews with their weighted sums and counts of scores
    aggregated by the database; one more with ``criterion_figures`` (the
    scores of the complete reviews, for the per-criterion means and
    medians). The figures are those of :func:`scoring.scores_of` over the
    same reviews (``tests/reviews/test_ranking_sql.py`` compares them).

    The candidacies carry ``fields`` (``RANKING_FIELDS`` by default, what the
    CSV, the exports and the wave report read); with
    ``RANKING_SORT_FIELDS`` they carry only what ranks them, and the
    caller loads the rows it shows with ``load_candidacies``.
    """
    criteria = list(Criterion.objects.filter(wave=wave).order_by("position"))
    ranked = Candidacy.objects.filter(wave=wave).exclude(
        state__in=["draft", "withdrawn"]
    )
    if state:
        ranked = ranked.filter(state=state)
    ranked_pks = ranked.order_by().values("pk")
    candidacies = _with_fields(ranked, fields).annotate(
        assigned=Count(
            "assignments",
            filter=~Q(assignments__conflict_status=ConflictStatus.CONFLICT),
        ),
        conflicts=Count(
            "assignments",
            filter=Q(assignments__conflict_status=ConflictStatus.CONFLICT),
        ),
    )
    figures: dict[int, CandidacyScores] = {}
    counts: dict[int, dict] = {}
    complete: dict[int, int] = {}  # review -> candidacy
    for pk, candidacy_id, recommendation, total in _review_rows(
        wave, criteria, ranked_pks
    ):
        if recommendations:
            tally = counts.setdefault(
                candidacy_id, dict.fromkeys(Recommendation.values, 0)
            )
            if recommendation in tally:
                tally[recommendation] += 1
        if total is not None:
            figures.setdefault(candidacy_id, CandidacyScores()).totals.append(total)
            complete[pk] = candidacy_id
    if criterion_figures:  # even when none is complete: a steady count
        scores = (
            Score.objects.filter(
                review__in=Review.objects.filter(
                    assignment__candidacy__in=ranked_pks,
                    assignment__conflict_status=ConflictStatus.NONE,
                    state=ReviewState.SUBMITTED,
                )
            )
            .order_by("review__assignment__candidacy_id", "criterion_id")
            .values_list("review_id", "criterion_id", "value")
        )
        for review_id, criterion_id, value in scores:
            if review_id in complete:
                per = figures[complete[review_id]].per_criterion
                per.setdefault(criterion_id, []).append(value)
    rows = []
    for candidacy in candidacies:
        scores = figures.get(candidacy.pk) or CandidacyScores()
        row = {
            "candidacy": candidacy,
            "figures": scores,
            "assigned": candidacy.assigned,
            "submitted": scores.count,
            "conflicts": candidacy.conflicts,
        }
        if recommendations:
            row["recommendations"] = counts.get(
                candidacy.pk, dict.fromkeys(Recommendation.values, 0)
            )
        rows.append(row)
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


def load_candidacies(rows) -> None:
    """Give the ``rows`` of a ranking made with ``RANKING_SORT_FIELDS`` (the
    page's) candidacies carrying ``RANKING_FIELDS``, in one query."""
    loaded = _with_fields(Candidacy.objects, RANKING_FIELDS).in_bulk(
        [row["candidacy"].pk for row in rows]
    )
    for row in rows:
        row["candidacy"] = loaded[row["candidacy"].pk]


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
    staff's export: the ranking's rows (four queries whatever their number)
    with the count of each recommendation of the submitted reviews."""
    criteria, rows = ranking(
        wave, order="reference", criterion_figures=True, recommendations=True
    )
    for row in rows:
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
