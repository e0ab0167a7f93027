"""The skeleton shared by the Celery tasks that render documents (deposit
receipts, label certificates, review and wave reports): idempotent, status
kept on the row, retries on transient errors only, stale rows queued again.

Exactly-once rendering rests on a claim: a task renders a row only after it
has switched it, in one conditional UPDATE, from *queued* (or from a
*rendering* whose lease has run out: its worker was killed) to *rendering*.
Two deliveries of the same message, or a delivery and the sweep, cannot
both win that UPDATE. The lease outlasts every task's hard time limit, so a
live render is never taken over."""

import datetime as dt

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .enums import DocumentStatus

TRANSIENT_ERRORS = (OSError, SoftTimeLimitExceeded)


def lease() -> dt.timedelta:
    """How long a render may hold its row before it is deemed dead."""
    return dt.timedelta(seconds=settings.DOCUMENT_RENDER_LEASE)


def claim(model, pk) -> bool:
    """Take the row for rendering; False if it is ready, gone or held by a
    live render."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=pk)
        .filter(
            Q(status=DocumentStatus.QUEUED)
            | Q(status=DocumentStatus.RENDERING, updated_at__lt=now - lease())
        )
        .update(
            status=DocumentStatus.RENDERING,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def render_once(task, *, model, pk, render, related=()) -> None:
    """Run ``render(row)`` once the row is claimed; keep its status
    (rendering, then ready, queued for a retry, or failed)."""
    if not claim(model, pk):
        return
    row = model.objects.select_related(*related).get(pk=pk)
    try:
        render(row)
    except Exception as error:
        final = task.request.retries >= task.max_retries or not isinstance(
            error, TRANSIENT_ERRORS
        )
        model.objects.filter(pk=pk).update(
            status=DocumentStatus.FAILED if final else DocumentStatus.QUEUED,
            error=str(error)[:2000],
            updated_at=timezone.now(),
        )
        raise


def requeue_stale(*, model, task, argument: str, limit: int = 500) -> int:
    """Queue again the rows left queued for a while (the broker was down when
    they were requested) and those whose render died with its worker."""
    now = timezone.now()
    forgotten = now - dt.timedelta(minutes=2)
    ids = list(
        model.objects.filter(
            Q(status=DocumentStatus.QUEUED, updated_at__lt=forgotten)
            | Q(status=DocumentStatus.RENDERING, updated_at__lt=now - lease())
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
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
        reject_on_worker_lost=True,
    )
