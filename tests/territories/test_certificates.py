import re
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.enums import Role
from reviews import services
from territories.models import Certificate
from territories.services import change_label_status, request_certificate
from tests.factories import (
    UserFactory,
    candidacy_under_review,
    labelled_territory,
    reviewed,
)

pytestmark = pytest.mark.django_db


def labelled(django_capture_on_commit_callbacks):
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    decision = services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _decision, label = services.publish_decision(decision=decision, actor=staff)
    return staff, label


def pdf_text(certificate):
    return "".join(p.extract_text() for p in PdfReader(certificate.file).pages)


def test_publication_renders_a_certificate_that_names_territory_and_url(
    client, django_capture_on_commit_callbacks, settings
):
    _staff, label = labelled(django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(label=label)
    assert certificate.status == "ready" and len(certificate.sha256) == 64
    text = pdf_text(certificate)
    assert "Pays de Démonstration" in text
    assert label.number in text
    assert label.verification_code in text.replace("\n", "")
    page = client.get(label.get_verification_url()).content.decode()
    assert "Label valide : Actif" in page
    assert certificate.sha256 in page
    download = client.get(reverse("certificate_pdf", args=[label.verification_code]))
    import hashlib

    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == (
        certificate.sha256
    )


def test_suspension_shows_on_verification_and_makes_a_new_version(
    client, django_capture_on_commit_callbacks
):
    staff, label = labelled(django_capture_on_commit_callbacks)
    first = Certificate.objects.get(label=label)

    with django_capture_on_commit_callbacks(execute=True):
        change_label_status(
            label=label, to_status="suspended", actor=staff, reason="Enquête"
        )

    data = client.get(label.get_verification_url(), {"format": "json"}).json()
    assert data["status"] == "suspended"
    assert data["territory_url"] is None
    versions = Certificate.objects.filter(label=label).order_by("created_at")
    assert versions.count() == 2 and versions[0].pk == first.pk  # old one kept
    assert "Suspendu" in pdf_text(versions[1])
    assert data["certificate_sha256"] == versions[1].sha256


def test_same_inputs_are_not_rendered_twice(django_capture_on_commit_callbacks):
    _staff, label = labelled(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        again = request_certificate(label=label)

    assert Certificate.objects.filter(label=label).count() == 1
    assert again.status == "ready"


@pytest.mark.parametrize(
    "code",
    ["inconnu-mais-bien-forme-12345", "x", "../../etc/passwd", "é" * 30, "a" * 80],
)
def test_unknown_or_malformed_code_is_a_clear_404(client, code):
    labelled_territory()

    response = client.get(f"/labels/verifier/{code}/")

    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_verification_is_rate_limited(client, settings):
    labelled_territory()
    statuses = [
        client.get("/labels/verifier/inconnu-mais-bien-forme-12345/").status_code
        for _ in range(61)
    ]

    assert statuses[:60] == [404] * 60
    assert statuses[60] == 429


def test_english_certificate_on_request(client, django_capture_on_commit_callbacks):
    _staff, label = labelled(django_capture_on_commit_callbacks)
    url = reverse("certificate_pdf", args=[label.verification_code])

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url, {"lang": "en"}).status_code == 404  # queued
    response = client.get(url, {"lang": "en"})

    text = "".join(
        p.extract_text()
        for p in PdfReader(BytesIO(b"".join(response.streaming_content))).pages
    )
    assert re.search(r"Labell?ing certificate|certificate", text, re.I)


def test_staff_generate_all_certificates_of_a_wave_with_progress(
    client, django_capture_on_commit_callbacks
):
    staff, label = labelled(django_capture_on_commit_callbacks)
    wave = label.wave
    Certificate.objects.all().delete()
    client.force_login(staff)
    progress_url = reverse("reviews:wave_certificates", args=[wave.pk])

    before = client.get(progress_url).content.decode()
    assert re.search(r"0 certificats? prêts? sur 1", before)
    assert 'http-equiv="refresh"' in before
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:wave", args=[wave.pk]), {"action": "certificates"})

    after = client.get(progress_url).content.decode()
    assert "1 certificat prêt sur 1" in after
    assert "Production terminée." in after
    assert 'http-equiv="refresh"' not in after


def test_certificate_is_one_landscape_page_with_the_verification_qr_code(
    django_capture_on_commit_callbacks, settings
):
    import segno

    _staff, label = labelled(django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(label=label)
    page = PdfReader(certificate.file).pages
    assert len(page) == 1
    width, height = page[0].mediabox.width, page[0].mediabox.height
    assert width > height  # A4 landscape

    (image,) = page[0].images
    assert image.indirect_reference.get_object().get("/Interpolate") is not True
    pixels = image.image.convert("L")
    url = settings.SITE_URL + label.get_verification_url()
    matrix = segno.make(url, error="m").matrix
    border = (pixels.width - len(matrix)) // 2
    assert border >= 2  # the quiet zone
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert (pixels.getpixel((x + border, y + border)) < 128) == bool(dark)
