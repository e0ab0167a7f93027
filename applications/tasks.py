"""Celery tasks of the candidacies: deposit receipts and deadline reminders."""

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from frenchimpact.documents import document_task, render_once, requeue_stale
from frenchimpact.mail import queue_email

from . import services
from .enums import CandidacyState
from .models import Candidacy, Receipt, ReminderSent, Wave

REMINDER_DAYS = (1, 7)  # nearest first: only the most urgent goes out


@document_task("applications.render_receipt")
def task_render_receipt(self, *, receipt_id: int) -> None:
    """Render the deposit receipt; a receipt already rendered is left alone."""
    render_once(
        self,
        model=Receipt,
        pk=receipt_id,
        render=lambda receipt: services.render_receipt(receipt=receipt),
        related=["candidacy__wave"],
    )


@shared_task(name="applications.sweep_receipts", soft_time_limit=60, time_limit=90)
def task_sweep_receipts() -> int:
    """Queue again receipts left queued (broker down at submission time)."""
    return requeue_stale(model=Receipt, task=task_render_receipt, argument="receipt_id")


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
