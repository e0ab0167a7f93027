"""The ranking's figures, aggregated by the database, are those of the
Python reference (``scoring.scores_of`` over each candidacy's submitted,
conflict-free reviews), on a grid of uneven weights and scales with missing
scores, conflicts and drafts; and its number of queries does not depend on
the number of candidacies or reviews."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import Role
from applications.models import Candidacy, Criterion
from reviews import selectors
from reviews.enums import ConflictStatus, Recommendation, ReviewState
from reviews.models import Assignment, Review, Score
from reviews.scoring import scores_of
from tests.factories import UserFactory, open_wave

pytestmark = pytest.mark.django_db

# weight, scale: weights that do not add up to 100, scales of 3, 4, 5 and 10
GRID = [(Decimal("7"), 4), (Decimal("13.5"), 5), (Decimal("20.25"), 10), (2, 3)]


def _world(count, seed=2018):
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    wave = open_wave()
    criteria = [
        Criterion.objects.create(
            wave=wave, title=f"Critère {i}", weight=weight, scale_max=scale, position=i
        )
        for i, (weight, scale) in enumerate(GRID)
    ]
    lead = UserFactory()
    reviewers = [UserFactory(role=Role.REVIEWER) for _ in range(5)]
    for n in range(count):
        candidacy = Candidacy.objects.create(
            wave=wave,
            reference=f"SQL-{wave.pk}-{n:03d}",
            state=rng.choice(["under_review", "submitted", "resubmitted"]),
            territory_name=f"Territoire {n}",
            created_by=lead,
        )
        for reviewer in rng.sample(reviewers, rng.randint(0, 4)):
            conflict = rng.choice(
                [ConflictStatus.NONE] * 4
                + [ConflictStatus.CONFLICT, ConflictStatus.PENDING]
            )
            assignment = Assignment.objects.create(
                candidacy=candidacy,
                reviewer=reviewer,
                assigned_by=lead,
                conflict_status=conflict,
            )
            if rng.random() < 0.1:
                continue  # assigned, not reviewed yet
            submitted = rng.random() < 0.85
            review = Review.objects.create(
                assignment=assignment,
                state=ReviewState.SUBMITTED if submitted else ReviewState.DRAFT,
                recommendation=rng.choice(Recommendation.values),
                submitted_at=timezone.now() if submitted else None,
            )
            missing = rng.random() < 0.2  # one criterion not scored
            Score.objects.bulk_create(
                Score(
                    review=review,
                    criterion=criterion,
                    value=rng.randint(0, criterion.scale_max),
                )
                for i, criterion in enumerate(criteria)
                if not (missing and i == n % len(criteria))
            )
    # a draft and a withdrawn candidacy are not ranked
    for state in ("draft", "withdrawn"):
        Candidacy.objects.create(
            wave=wave,
            reference=f"SQL-{wave.pk}-{state}",
            state=state,
            created_by=lead,
        )
    return wave, criteria


def _reference(wave, criteria):
    """Per ranked candidacy, the figures computed in Python from the models."""
    result = {}
    for candidacy in Candidacy.objects.filter(wave=wave).exclude(
        state__in=["draft", "withdrawn"]
    ):
        assignments = list(candidacy.assignments.all())
        reviews = [
            a.review
            for a in assignments
            if a.conflict_status == ConflictStatus.NONE
            and hasattr(a, "review")
            and a.review.state == ReviewState.SUBMITTED
        ]
        counts = dict.fromkeys(Recommendation.values, 0)
        for review in reviews:
            counts[review.recommendation] += 1
        conflicts = sum(
            a.conflict_status == ConflictStatus.CONFLICT for a in assignments
        )
        result[candidacy.pk] = {
            "figures": scores_of(reviews, criteria),
            "assigned": len(assignments) - conflicts,
            "conflicts": conflicts,
            "recommendations": counts,
        }
    return result


def test_sql_figures_equal_the_python_reference():
    wave, criteria = _world(60)
    expected = _reference(wave, criteria)

    _criteria, rows = selectors.ranking(
        wave, criterion_figures=True, recommendations=True
    )

    assert len(rows) == len(expected) == 60
    # the world exercises what it is meant to
    every = [e["figures"] for e in expected.values()]
    assert any(f.count == 0 for f in every)
    assert any(f.count >= 2 for f in every)
    assert any(f.disagreement for f in every)
    assert any(e["conflicts"] for e in expected.values())
    for row in rows:
        reference = expected[row["candidacy"].pk]
        figures, want = row["figures"], reference["figures"]
        assert sorted(figures.totals) == sorted(want.totals)
        assert (figures.count, figures.mean, figures.median, figures.spread) == (
            want.count,
            want.mean,
            want.median,
            want.spread,
        )
        assert figures.disagreement == want.disagreement
        for criterion in criteria:
            assert figures.criterion_mean(criterion.pk) == want.criterion_mean(
                criterion.pk
            )
            assert figures.criterion_median(criterion.pk) == want.criterion_median(
                criterion.pk
            )
        assert row["submitted"] == want.count
        assert row["assigned"] == reference["assigned"]
        assert row["conflicts"] == reference["conflicts"]
        assert row["recommendations"] == reference["recommendations"]
    # ranked by mean, highest first, the unscored last
    means = [row["figures"].mean for row in rows]
    scored = [m for m in means if m is not None]
    assert scored == sorted(scored, reverse=True)
    assert means[len(scored) :] == [None] * (len(means) - len(scored))


def test_filters_and_orders_keep_the_reference_figures():
    wave, criteria = _world(30, seed=7)
    expected = _reference(wave, criteria)

    _criteria, rows = selectors.ranking(wave, disagreement=True, order="spread")
    _criteria, by_state = selectors.ranking(wave, state="submitted")

    assert {r["candidacy"].pk for r in rows} == {
        pk for pk, e in expected.items() if e["figures"].disagreement
    }
    spreads = [r["figures"].spread for r in rows]
    assert spreads == sorted(spreads, reverse=True)
    assert {r["candidacy"].pk for r in by_state} == set(
        Candidacy.objects.filter(wave=wave, state="submitted").values_list(
            "pk", flat=True
        )
    )
    for row in by_state:
        assert row["figures"].mean == expected[row["candidacy"].pk]["figures"].mean


def _queries(wave, **options):
    with CaptureQueriesContext(connection) as queries:
        _criteria, rows = selectors.ranking(wave, **options)
        read = []
        for row in rows:  # what the page, the CSV and the exports read
            candidacy = row["candidacy"]
            read += [candidacy.display_name, candidacy.get_state_display()]
            read += [candidacy.lead_name, candidacy.submitted_at]
            read += [candidacy.region_codes, candidacy.territory_kind]
            decision = getattr(candidacy, "decision", None)
            if decision:
                read += [decision.outcome, decision.published_at]
    assert len(read) >= 6 * len(rows)
    return len(queries)


@pytest.mark.parametrize(
    "options",
    [{}, {"criterion_figures": True, "recommendations": True}],
    ids=["page", "exports"],
)
def test_ranking_queries_do_not_depend_on_candidacies(options):
    few, _criteria = _world(3, seed=1)
    many, _criteria = _world(40, seed=2)

    assert _queries(few, **options) == _queries(many, **options)
    assert _queries(many, **options) == (4 if options else 3)
