from dataclasses import dataclass

import pytest

from reviews.scoring import scores_of, weighted_total


@dataclass
class C:
    pk: int
    weight: int
    scale_max: int = 5


def test_weighted_total_brings_scores_to_their_scale():
    criteria = [C(1, 60), C(2, 40, scale_max=10)]

    assert weighted_total({1: 5, 2: 10}, criteria) == 100.0
    assert weighted_total({1: 0, 2: 0}, criteria) == 0.0
    assert weighted_total({1: 4, 2: 5}, criteria) == pytest.approx(68.0)
    assert weighted_total({1: 4}, criteria) is None


class _Scores:
    def __init__(self, values):
        self._values = values

    def all(self):
        return [type("S", (), {"criterion_id": k, "value": v}) for k, v in self._values]


def review(values):
    return type("R", (), {"scores": _Scores(values)})


def test_mean_median_spread_and_disagreement():
    criteria = [C(1, 50), C(2, 50)]
    close = scores_of([review([(1, 4), (2, 4)]), review([(1, 4), (2, 3)])], criteria)
    apart = scores_of([review([(1, 5), (2, 5)]), review([(1, 1), (2, 1)])], criteria)

    assert close.totals == [80.0, 70.0]
    assert (close.mean, close.median, close.spread) == (75.0, 75.0, 5.0)
    assert not close.disagreement
    assert apart.spread == 40.0 and apart.disagreement
    assert close.criterion_mean(2) == 3.5
    assert close.criterion_median(1) == 4
