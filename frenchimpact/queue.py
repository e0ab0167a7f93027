"""Queueing Celery tasks after the commit, without letting a broker outage
break a request whose data are already saved."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, **kwargs) -> bool:
    """Send ``task``; if the broker is unreachable, log it and return False:
    the row stays queued and a periodic sweep sends it again."""
    try:
        task.delay(**kwargs)
    except Exception:  # broker down: the sweep or the flush queues it again
        logger.warning("Broker unreachable for %s", task.name)
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task, **kwargs))
