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


def test_label_certificate_by_real_worker_then_suspension(
    client, celery_worker_process
):
    """Labelling produces, through the worker, a certificate naming the
    territory and its verification URL; the verification page shows the
    label active, then suspended."""
    from django.conf import settings

    from accounts.enums import Role
    from reviews import services as reviews
    from territories.models import Certificate
    from territories.services import change_label_status
    from tests.factories import UserFactory, candidacy_under_review, reviewed

    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    decision = reviews.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )
    _decision, label = reviews.publish_decision(decision=decision, actor=staff)

    assert wait_for(
        lambda: Certificate.objects.filter(label=label, status="ready").exists()
    ), "the worker did not render the certificate"
    certificate = Certificate.objects.get(label=label)
    text = "".join(p.extract_text() for p in PdfReader(certificate.file).pages)
    assert "Pays de Démonstration" in text
    assert (settings.SITE_URL + label.get_verification_url()) in text.replace("\n", "")
    page = client.get(label.get_verification_url()).content.decode()
    assert "Label valide : Actif" in page

    change_label_status(
        label=label, to_status="suspended", actor=staff, reason="Enquête"
    )

    assert (
        "Label non valide : Suspendu"
        in client.get(label.get_verification_url()).content.decode()
    )
    assert wait_for(
        lambda: Certificate.objects.filter(label=label, status="ready").count() == 2
    )
