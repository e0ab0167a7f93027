"""Where an objective stands: its latest measure against its starting point,
target and deadline, and a linear projection of its trend to the deadline.

Pure functions over plain values, so that pages and dashboards compute the
same standing from one annotated query (see ``selectors.with_progress``).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .enums import Progress


@dataclass(frozen=True)
class Standing:
    status: str
    latest: Decimal | None = None
    latest_on: dt.date | None = None
    start: Decimal | None = None
    percent: int | None = None  # share of the way from start to target
    projected: Decimal | None = None  # value expected at the deadline

    @property
    def label(self) -> str:
        return Progress(self.status).label

    @property
    def is_alarming(self) -> bool:
        return self.status in (Progress.AT_RISK, Progress.MISSED)


def standing(
    *,
    target: Decimal,
    deadline: dt.date | None,
    baseline: Decimal | None,
    baseline_on: dt.date | None,
    latest: Decimal | None,
    latest_on: dt.date | None,
    first: Decimal | None,
    first_on: dt.date | None,
    today: dt.date,
) -> Standing:
    if latest is None:
        status = Progress.MISSED if deadline and deadline < today else Progress.NO_DATA
        return Standing(status=status, start=baseline)
    if baseline is not None:
        start, start_on = baseline, baseline_on
    else:
        start, start_on = first, first_on
    rising = target >= start
    achieved = latest >= target if rising else latest <= target
    percent = None
    if target != start:
        share = (latest - start) / (target - start) * 100
        percent = int(max(Decimal(0), min(Decimal(100), share)))
    elif achieved:
        percent = 100
    common = {
        "latest": latest,
        "latest_on": latest_on,
        "start": start,
        "percent": percent,
    }
    if achieved:
        return Standing(status=Progress.ACHIEVED, **common)
    if deadline is None:
        return Standing(status=Progress.ON_TRACK, **common)
    if deadline < today:
        return Standing(status=Progress.MISSED, **common)
    if start_on is None or latest_on is None or latest_on <= start_on:
        # a single measure and no dated baseline: no trend to project yet
        return Standing(status=Progress.ON_TRACK, **common)
    rate = (latest - start) / Decimal((latest_on - start_on).days)
    projected = latest + rate * Decimal((deadline - latest_on).days)
    on_track = projected >= target if rising else projected <= target
    return Standing(
        status=Progress.ON_TRACK if on_track else Progress.AT_RISK,
        projected=projected.quantize(Decimal("0.01")),
        **common,
    )
