"""Celery tasks of the candidacies: deposit receipts and deadline reminders."""

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from frenchimpact.enums import DocumentStatus
from frenchimpact.mail import queue_email

from .enums import CandidacyState
from .models import Candidacy, Receipt, ReminderSent, Wave

logger = logging.getLogger(__name__)
REMINDER_DAYS = (1, 7)  # nearest first: only the most urgent goes out


@shared_task(
    name="applications.render_receipt",
    bind=True,
    autoretry_for=(OSError, SoftTimeLimitExceeded),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def task_render_receipt(self, *, receipt_id: int) -> None:
    """Render the deposit receipt; a receipt already rendered is left alone."""
    receipt = (
        Receipt.objects.filter(pk=receipt_id).select_related("candidacy__wave").first()
    )
    if receipt is None or (receipt.status == DocumentStatus.READY and receipt.file):
        return
    Receipt.objects.filter(pk=receipt_id).update(
        status=DocumentStatus.RENDERING, attempts=receipt.attempts + 1
    )
    from frenchimpact.pdf import render_pdf

    try:
        with translation.override("fr"):
            html = render_to_string("documents/receipt.html", {"receipt": receipt})
        pdf = render_pdf(html)
    except Exception as error:
        final = self.request.retries >= self.max_retries or not isinstance(
            error, OSError | SoftTimeLimitExceeded
        )
        Receipt.objects.filter(pk=receipt_id).update(
            status=DocumentStatus.FAILED if final else DocumentStatus.QUEUED,
            error=str(error)[:2000],
        )
        raise
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt_id)
        if locked.status == DocumentStatus.READY and locked.file:
            return  # another delivery of this task finished first
        locked.file.save(
            f"{locked.candidacy.reference}-{locked.number}.pdf",
            ContentFile(pdf),
            save=False,
        )
        locked.status = DocumentStatus.READY
        locked.error = ""
        locked.save(update_fields=["file", "status", "error", "updated_at"])


@shared_task(name="applications.sweep_receipts", soft_time_limit=60, time_limit=90)
def task_sweep_receipts() -> int:
    """Queue again receipts left queued (broker down at submission time)."""
    stale = timezone.now() - dt.timedelta(minutes=2)
    ids = list(
        Receipt.objects.filter(
            status=DocumentStatus.QUEUED, created_at__lt=stale
        ).values_list("pk", flat=True)[:200]
    )
    for receipt_id in ids:
        task_render_receipt.delay(receipt_id=receipt_id)
    return len(ids)


@shared_task(
    name="applications.send_deadline_reminders", soft_time_limit=120, time_limit=180
)
def task_send_deadline_reminders(*, now=None) -> int:
    """E-mail the teams of unsubmitted drafts 7 days and 1 day before a wave
    closes. Each reminder goes out once (a row marks it sent)."""
    now = now or timezone.now()
    sent = 0
    waves = Wave.objects.filter(opens_at__lte=now, closes_at__gt=now)
    for wave in waves:
        for days in REMINDER_DAYS:
            if wave.closes_at - now > dt.timedelta(days=days):
                continue
            drafts = Candidacy.objects.filter(
                wave=wave, state=CandidacyState.DRAFT
            ).exclude(reminders__days_before=days)
            for candidacy in drafts:
                with transaction.atomic():
                    _reminder, created = ReminderSent.objects.get_or_create(
                        candidacy=candidacy, days_before=days
                    )
                    if not created:
                        continue
                    queue_email(
                        to=list(
                            candidacy.memberships.values_list("user__email", flat=True)
                        ),
                        template="reminder",
                        context={"candidacy": candidacy, "wave": wave, "days": days},
                    )
                    sent += 1
            # a one-day reminder makes the seven-day one pointless
            break
    return sent
