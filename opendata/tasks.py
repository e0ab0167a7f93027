import time

from celery import shared_task
from django.core.cache import cache

from . import services

#: when the last rebuild started (worker's clock), shared through the cache
LAST_START_KEY = "opendata:rebuild-started"
#: a rebuild that started this long after a request is trusted to have read
#: the request's data (the request is sent after its commit): margin for the
#: clocks of the web and worker hosts
CLOCK_MARGIN = 2.0


@shared_task(name="opendata.rebuild", soft_time_limit=120, time_limit=180)
def task_rebuild_open_data(requested_at: float | None = None) -> list[str]:
    """Rebuild the open-data files whose data changed (idempotent).

    Every change to public data sends one request; a script saving rows one
    by one sends hundreds. A request made before the start of a rebuild that
    has already run is answered by it, and skipped: the queue never holds a
    backlog of identical rebuilds in front of other work. The hourly beat
    run (no ``requested_at``) always rebuilds.
    """
    started = time.time()
    last = cache.get(LAST_START_KEY)
    if (
        requested_at is not None
        and last is not None
        and last >= requested_at + CLOCK_MARGIN
    ):
        return []
    cache.set(LAST_START_KEY, started, timeout=24 * 3600)
    return services.rebuild_open_data()
