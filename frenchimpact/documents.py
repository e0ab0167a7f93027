"""The skeleton shared by the Celery tasks that render documents (deposit
receipts, label certificates): idempotent, status kept on the row, retries
on transient errors only, stale queued rows queued again."""

import datetime as dt

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from .enums import DocumentStatus

TRANSIENT_ERRORS = (OSError, SoftTimeLimitExceeded)


def render_once(task, *, model, pk, render, related=()) -> None:
    """Run ``render(row)`` unless the row is gone or already rendered; keep
    its status (rendering, then ready, queued for a retry, or failed)."""
    row = model.objects.filter(pk=pk).select_related(*related).first()
    if row is None or (row.status == DocumentStatus.READY and row.file):
        return
    model.objects.filter(pk=pk).update(
        status=DocumentStatus.RENDERING, attempts=row.attempts + 1
    )
    try:
        render(row)
    except Exception as error:
        final = task.request.retries >= task.max_retries or not isinstance(
            error, TRANSIENT_ERRORS
        )
        model.objects.filter(pk=pk).update(
            status=DocumentStatus.FAILED if final else DocumentStatus.QUEUED,
            error=str(error)[:2000],
        )
        raise


def requeue_stale(*, model, task, argument: str, limit: int = 500) -> int:
    """Queue again the rows left queued for a while (the broker was down)."""
    stale = timezone.now() - dt.timedelta(minutes=2)
    ids = list(
        model.objects.filter(
            status=DocumentStatus.QUEUED, updated_at__lt=stale
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        task.delay(**{argument: pk})
    return len(ids)


def document_task(name: str, *, soft_time_limit: int = 60, time_limit: int = 90):
    """The Celery options every document task shares: bound, retried with a
    capped backoff on transient errors only, time-limited, acknowledged late
    so that a killed worker's task is delivered again."""
    from celery import shared_task

    return shared_task(
        name=name,
        bind=True,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=5,
        retry_backoff_max=300,
        max_retries=5,
        soft_time_limit=soft_time_limit,
        time_limit=time_limit,
        acks_late=True,
    )
