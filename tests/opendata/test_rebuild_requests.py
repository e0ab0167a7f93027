"""A burst of changes does not pile identical rebuilds in the queue."""

import pytest

from opendata import services, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def rebuilds(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "rebuild_open_data", lambda: calls.append(1) or [])
    return calls


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_000.0}
    monkeypatch.setattr(tasks.time, "time", lambda: now["t"])
    return now


def test_requests_made_before_a_rebuild_started_are_answered_by_it(rebuilds, clock):
    burst = [990.0 + i for i in range(5)]  # 990 … 994, all queued
    clock["t"] = 1_000.0  # the worker gets to them afterwards

    for requested_at in burst:
        tasks.task_rebuild_open_data(requested_at=requested_at)

    assert len(rebuilds) == 1  # the first one rebuilt, it read them all


def test_a_request_after_the_last_start_rebuilds(rebuilds, clock):
    tasks.task_rebuild_open_data(requested_at=999.0)
    clock["t"] = 1_010.0

    tasks.task_rebuild_open_data(requested_at=1_005.0)  # a change made since

    assert len(rebuilds) == 2


def test_a_request_within_the_clock_margin_still_rebuilds(rebuilds, clock):
    tasks.task_rebuild_open_data(requested_at=999.0)

    tasks.task_rebuild_open_data(requested_at=1_000.0 - tasks.CLOCK_MARGIN / 2)

    assert len(rebuilds) == 2


def test_the_periodic_run_always_rebuilds(rebuilds, clock):
    tasks.task_rebuild_open_data(requested_at=999.0)

    tasks.task_rebuild_open_data()

    assert len(rebuilds) == 2


def test_a_change_sends_the_time_of_its_request(monkeypatch, clock):
    from opendata import signals

    sent = []
    monkeypatch.setattr(signals, "enqueue", lambda task, **kw: sent.append(kw))
    monkeypatch.setattr(signals.time, "time", lambda: 1_234.5)

    signals._queue_rebuild()

    assert sent == [{"requested_at": 1_234.5}]
