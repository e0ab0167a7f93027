"""Receipts and e-mails produced by a real Celery worker on the real broker."""

import time

import pytest
from pypdf import PdfReader

from applications import services
from applications.models import Receipt
from frenchimpact.models import OutboundEmail
from tests.factories import candidacy_for, complete

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_submission_receipt_and_email_by_real_worker(celery_worker_process):
    candidacy = complete(candidacy_for())

    services.submit_candidacy(candidacy_id=candidacy.pk, user=candidacy.created_by)

    assert wait_for(
        lambda: Receipt.objects.filter(candidacy=candidacy, status="ready").exists()
    ), "the worker did not render the receipt"
    receipt = Receipt.objects.get(candidacy=candidacy)
    text = "".join(page.extract_text() for page in PdfReader(receipt.file).pages)
    assert candidacy.reference in text
    assert wait_for(
        lambda: not OutboundEmail.objects.filter(status="pending").exists()
    ), "the worker did not send the acknowledgment"
    assert OutboundEmail.objects.get(subject__contains=candidacy.reference).status == (
        "sent"
    )
