"""Celery tasks of the portal's infrastructure: the e-mail outbox."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import EmailStatus, OutboundEmail

MAX_ATTEMPTS = 8


@shared_task(
    name="frenchimpact.send_email",
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=MAX_ATTEMPTS,
    soft_time_limit=30,
    time_limit=60,
)
def task_send_email(*, email_id: int) -> None:
    failure = None
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.PENDING:
            return  # gone, or already sent: sending twice would do harm
        email.attempts += 1
        try:
            EmailMessage(
                subject=email.subject,
                body=email.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=email.to,
            ).send()
        except Exception as error:
            failure = error
            email.last_error = str(error)[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = EmailStatus.FAILED
            email.save(update_fields=["attempts", "last_error", "status"])
        else:
            email.status = EmailStatus.SENT
            email.sent_at = timezone.now()
            email.save(update_fields=["attempts", "status", "sent_at"])
    if failure is not None:
        raise failure  # retried by Celery when transient


@shared_task(name="frenchimpact.flush_outbox", soft_time_limit=120, time_limit=180)
def task_flush_outbox() -> int:
    """Queue again the e-mails still pending a while after their creation
    (the broker was down when they were saved, or a worker died)."""
    from .mail import dispatch

    stale = timezone.now() - dt.timedelta(minutes=2)
    ids = list(
        OutboundEmail.objects.filter(
            status=EmailStatus.PENDING, created_at__lt=stale
        ).values_list("pk", flat=True)[:500]
    )
    for email_id in ids:
        dispatch(email_id)
    return len(ids)


@shared_task(
    name="frenchimpact.scan_file",
    bind=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def task_scan_file(self, *, model: str, pk: int) -> str | None:
    """Antivirus scan of one uploaded file; a verdict already given is kept.
    A scanner out of reach is tried again (capped backoff); then the row
    stays in error and the sweep tries later."""
    from .antivirus import ScanError
    from .scanning import scan_file

    try:
        return scan_file(model=model, pk=pk)
    except ScanError as error:
        if self.request.is_eager:
            return "error"  # run in-process: the sweep tries again later
        raise self.retry(
            exc=error, countdown=min(30 * 2**self.request.retries, 900)
        ) from error


@shared_task(name="frenchimpact.sweep_scans", soft_time_limit=120, time_limit=180)
def task_sweep_scans() -> int:
    from .scanning import sweep

    return sweep()
