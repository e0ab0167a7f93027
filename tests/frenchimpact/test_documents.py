"""The claim that makes document renders happen once."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from frenchimpact.enums import DocumentStatus
from territories.models import Certificate
from territories.services import request_certificate
from territories.tasks import task_render_certificate, task_sweep_certificates
from tests.factories import labelled_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_certificate():
    label = labelled_territory().labels.get()
    certificate = request_certificate(label=label)  # on-commit: not yet rendered
    return Certificate.objects.get(pk=certificate.pk)


def test_a_second_delivery_renders_nothing(queued_certificate):
    task_render_certificate.delay(certificate_id=queued_certificate.pk)
    task_render_certificate.delay(certificate_id=queued_certificate.pk)

    queued_certificate.refresh_from_db()
    assert queued_certificate.status == DocumentStatus.READY
    assert queued_certificate.attempts == 1


def test_a_live_render_is_not_taken_over(queued_certificate):
    Certificate.objects.filter(pk=queued_certificate.pk).update(
        status=DocumentStatus.RENDERING, attempts=1, updated_at=timezone.now()
    )

    assert task_sweep_certificates() == 0
    task_render_certificate.delay(certificate_id=queued_certificate.pk)

    queued_certificate.refresh_from_db()
    assert (queued_certificate.status, queued_certificate.attempts) == (
        DocumentStatus.RENDERING,
        1,
    )
    assert not queued_certificate.file


def test_a_render_whose_worker_died_is_swept_and_finished(queued_certificate):
    lease = dt.timedelta(seconds=settings.DOCUMENT_RENDER_LEASE)
    dead_since = timezone.now() - lease - dt.timedelta(seconds=1)
    Certificate.objects.filter(pk=queued_certificate.pk).update(
        status=DocumentStatus.RENDERING, attempts=1, updated_at=dead_since
    )

    assert task_sweep_certificates() == 1  # eager here: the sweep renders it

    queued_certificate.refresh_from_db()
    assert (queued_certificate.status, queued_certificate.attempts) == (
        DocumentStatus.READY,
        2,
    )
    assert queued_certificate.file


def test_every_document_task_ends_before_its_lease():
    from frenchimpact.celery import app

    app.loader.import_default_modules()
    tasks = [t for name, t in app.tasks.items() if ".render_" in name]
    assert len(tasks) == 4
    assert all(t.time_limit < settings.DOCUMENT_RENDER_LEASE for t in tasks)
