"""Documents survive a crashing worker: every certificate is produced, once."""

import time

import pytest
from django.core.files.storage import default_storage

from frenchimpact.enums import DocumentStatus
from territories.models import Certificate, Label
from territories.services import request_certificate
from territories.tasks import task_sweep_certificates
from tests.factories import labelled_territory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CERTIFICATES = 200
KILLS = 3


def ready_count() -> int:
    return Certificate.objects.filter(status=DocumentStatus.READY).count()


def wait_until(predicate, timeout=240, every=0.2, tick=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick:
            tick()
        time.sleep(every)
    return False


def test_worker_killed_three_times_every_certificate_rendered_exactly_once(
    celery_workers, settings
):
    """200 certificates are queued; the worker is SIGKILLed three times while
    rendering them. A last worker and the periodic sweep (called here as
    beat would) finish the work: every label has one certificate, ready, with
    one file, and only the renders cut by a kill were started twice."""
    settings.DOCUMENT_RENDER_LEASE = 3  # the sweep takes over a dead render after 3 s
    labels = [labelled_territory().labels.get() for _ in range(CERTIFICATES)]
    for label in labels:
        request_certificate(label=label)
    assert Certificate.objects.filter(status=DocumentStatus.QUEUED).count() == (
        CERTIFICATES
    )

    for kill in range(1, KILLS + 1):
        worker = celery_workers.start()
        assert wait_until(
            lambda k=kill: ready_count() >= k * CERTIFICATES // (KILLS + 2)
        ), f"no progress before kill {kill}"
        celery_workers.kill(worker)
    assert ready_count() < CERTIFICATES, "the kills came too late to prove anything"

    celery_workers.start()
    assert wait_until(
        lambda: ready_count() == CERTIFICATES,
        every=1,
        tick=task_sweep_certificates.delay,
    ), f"only {ready_count()} of {CERTIFICATES} certificates after the kills"

    certificates = list(Certificate.objects.all())
    assert len(certificates) == CERTIFICATES
    assert {c.label_id for c in certificates} == {label.pk for label in labels}
    assert all(c.file and len(c.sha256) == 64 for c in certificates)
    for certificate in certificates:
        _dirs, files = default_storage.listdir(f"certificates/{certificate.label_id}")
        assert len(files) == 1, "a certificate file was written twice"
    restarted = [c for c in certificates if c.attempts > 1]
    assert all(c.attempts == 2 for c in restarted)
    assert len(restarted) <= KILLS, "a render ran again without being cut"
    assert Label.objects.count() == CERTIFICATES
