"""Queue the rebuild of the open data when public data change.

Receivers here, in this app, so that the other apps' services stay as they
are; the rebuild itself is a service, queued after the commit. Bulk updates
send no signal: a periodic task catches them (it rewrites nothing when the
data did not change).
"""

import threading
import time

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from challenges.models import Challenge, Indicator, Objective, ProgressReport, Project
from frenchimpact.queue import enqueue
from territories.models import Label, Organisation, Territory

WATCHED = (
    Label,
    Territory,
    Organisation,
    Challenge,
    Project,
    Objective,
    Indicator,
    ProgressReport,
)


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


@receiver(post_save)
@receiver(post_delete)
def data_changed(sender, raw=False, **kwargs):
    if sender in WATCHED and not raw:
        queue_rebuild_on_commit()


@receiver(m2m_changed, sender=Territory.regions.through)
@receiver(m2m_changed, sender=Territory.departments.through)
def geography_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        queue_rebuild_on_commit()
