"""Where an objective stands, from its measures (pure function)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from challenges.enums import Progress
from challenges.progress import standing

TODAY = dt.date(2021, 1, 1)


def stand(**kwargs):
    values = {
        "target": D(25),
        "deadline": dt.date(2021, 12, 31),
        "baseline": D(0),
        "baseline_on": dt.date(2019, 3, 22),
        "latest": None,
        "latest_on": None,
        "first": None,
        "first_on": None,
        "today": TODAY,
    }
    values.update(kwargs)
    return standing(**values)


def test_no_measure_yet():
    result = stand()
    assert (result.status, result.percent) == (Progress.NO_DATA, None)


def test_no_measure_after_the_deadline_is_missed():
    assert stand(deadline=dt.date(2020, 12, 31)).status == Progress.MISSED


def test_slow_trend_is_at_risk_with_its_projection():
    """The EA agrobiologique: 11 people of 25 after 21 months; at this pace,
    about 17 by the end of 2021."""
    result = stand(latest=D(11), latest_on=dt.date(2020, 12, 31))
    assert result.status == Progress.AT_RISK
    assert result.percent == 44
    assert D(16) < result.projected < D(18)


def test_fast_trend_is_on_track():
    result = stand(latest=D(20), latest_on=dt.date(2020, 12, 31))
    assert result.status == Progress.ON_TRACK
    assert result.projected > 25


def test_target_reached_is_achieved_even_late():
    result = stand(
        latest=D(26), latest_on=dt.date(2022, 1, 5), today=dt.date(2022, 2, 1)
    )
    assert (result.status, result.percent) == (Progress.ACHIEVED, 100)


def test_deadline_passed_short_of_target_is_missed():
    result = stand(
        latest=D(20), latest_on=dt.date(2021, 12, 1), today=dt.date(2022, 2, 1)
    )
    assert result.status == Progress.MISSED


def test_falling_target_counts_down():
    """« Zéro sans toit »: from 42 people without a home towards 0, no baseline
    given: the first measure is the starting point."""
    result = stand(
        target=D(0),
        deadline=None,
        baseline=None,
        baseline_on=None,
        first=D(42),
        first_on=dt.date(2019, 6, 30),
        latest=D(27),
        latest_on=dt.date(2020, 6, 30),
    )
    assert result.status == Progress.ON_TRACK
    assert result.start == 42
    assert result.percent == 35  # 15 of 42 on the way


@pytest.mark.parametrize("latest", [D(0), D(-3)])
def test_falling_target_reached(latest):
    result = stand(target=D(0), baseline=D(10), latest=latest, latest_on=TODAY)
    assert result.status == Progress.ACHIEVED


def test_single_measure_without_dated_start_cannot_be_projected():
    result = stand(
        baseline=None,
        baseline_on=None,
        first=D(3),
        first_on=dt.date(2020, 6, 1),
        latest=D(3),
        latest_on=dt.date(2020, 6, 1),
    )
    assert result.status == Progress.ON_TRACK and result.projected is None
