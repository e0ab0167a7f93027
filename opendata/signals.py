"""Queue the rebuild of the open data when public data change.

Receivers here, in this app, so that the other apps' services stay as they
are; the rebuild itself is a service, queued after the commit. Which rows
are public data is said once, in ``frenchimpact.public_data`` (the public
page cache follows the same signal); a new certificate changes no open-data
file. Bulk updates send no signal: a periodic task catches them (it
rewrites nothing when the data did not change).
"""

import threading
import time

from django.db import transaction
from django.dispatch import receiver

from frenchimpact.public_data import PUBLIC, public_data_changed
from frenchimpact.queue import enqueue

# the transaction whose commit will queue a rebuild (one per transaction);
# if it is rolled back, the hourly beat task catches up
_pending = threading.local()


def _queue_rebuild() -> None:
    from .tasks import task_rebuild_open_data

    enqueue(task_rebuild_open_data, requested_at=time.time())


def queue_rebuild_on_commit() -> None:
    """Queue one rebuild after the commit, however many rows the transaction
    changed (a rebuild whose rows did not change writes nothing)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _queue_rebuild()
        return
    outermost = id(connection.atomic_blocks[0])
    if getattr(_pending, "transaction", None) == outermost:
        return  # already queued for this transaction's commit
    _pending.transaction = outermost

    def run():
        _pending.transaction = None
        _queue_rebuild()

    transaction.on_commit(run)


@receiver(public_data_changed, dispatch_uid="opendata.rebuild")
def data_changed(sender, family, **kwargs):
    if family == PUBLIC:
        queue_rebuild_on_commit()
