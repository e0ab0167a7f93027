import datetime as dt

import pytest
from django.utils import timezone

from applications.tasks import task_send_deadline_reminders
from tests.factories import candidacy_for, complete, open_wave

pytestmark = pytest.mark.django_db


def test_reminders_seven_days_and_one_day_before_closing_once_each(
    mailoutbox_rows, django_capture_on_commit_callbacks
):
    now = timezone.now()
    wave = open_wave(closes_at=now + dt.timedelta(days=6, hours=12))
    draft = candidacy_for(wave=wave)
    submitted = complete(candidacy_for(wave=wave))
    submitted.state = "submitted"
    submitted.save()

    assert task_send_deadline_reminders(now=now) == 1
    assert task_send_deadline_reminders(now=now) == 0  # never twice
    assert "7 jours" in mailoutbox_rows()[-1].subject
    assert mailoutbox_rows()[-1].to == [draft.created_by.email]

    later = now + dt.timedelta(days=6)
    assert task_send_deadline_reminders(now=later) == 1
    assert "un jour" in mailoutbox_rows()[-1].subject
    assert task_send_deadline_reminders(now=later) == 0
    assert len(mailoutbox_rows()) == 2


def test_no_reminder_far_from_the_deadline():
    now = timezone.now()
    wave = open_wave(closes_at=now + dt.timedelta(days=30))
    candidacy_for(wave=wave)

    assert task_send_deadline_reminders(now=now) == 0
