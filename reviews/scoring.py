"""Arithmetic of the review: weighted totals, means, medians, disagreement.

Pure functions over plain values, so that the ranking, the reports and the
tests compute the same figures.
"""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from .enums import DISAGREEMENT_THRESHOLD


def weighted_total(values: dict[int, int], criteria) -> float | None:
    """Weighted total out of 100 of one review: each score is brought to
    its scale, then weighted. None if a criterion is not scored."""
    if not criteria or any(c.pk not in values for c in criteria):
        return None
    weights = sum(Decimal(c.weight) for c in criteria)
    total = sum(
        Decimal(values[c.pk]) / c.scale_max * Decimal(c.weight) for c in criteria
    )
    return round(float(total / weights * 100), 1)


@dataclass
class CandidacyScores:
    """The figures of one candidacy over its submitted reviews (mean, median
    and spread are computed once, when first read: fill ``totals`` first)."""

    totals: list[float] = field(default_factory=list)
    per_criterion: dict[int, list[int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.totals)

    @cached_property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.totals), 1) if self.totals else None

    @cached_property
    def median(self) -> float | None:
        return round(statistics.median(self.totals), 1) if self.totals else None

    @cached_property
    def spread(self) -> float | None:
        """Standard deviation of the reviewers' totals (population)."""
        return round(statistics.pstdev(self.totals), 1) if self.count > 1 else None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread > DISAGREEMENT_THRESHOLD

    def criterion_mean(self, criterion_id) -> float | None:
        values = self.per_criterion.get(criterion_id)
        return round(statistics.fmean(values), 2) if values else None

    def criterion_median(self, criterion_id) -> float | None:
        values = self.per_criterion.get(criterion_id)
        return statistics.median(values) if values else None


def scores_of(reviews, criteria) -> CandidacyScores:
    """Figures of the submitted ``reviews`` (with their ``scores`` loaded)."""
    result = CandidacyScores()
    for review in reviews:
        values = {score.criterion_id: score.value for score in review.scores.all()}
        total = weighted_total(values, criteria)
        if total is None:
            continue
        result.totals.append(total)
        for criterion_id, value in values.items():
            result.per_criterion.setdefault(criterion_id, []).append(value)
    return result
