"""A new applicant's whole path, as a person would go through it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from applications.models import Candidacy
from frenchimpact.models import OutboundEmail
from territories.enums import SupportAxis
from tests.factories import open_wave

pytestmark = pytest.mark.django_db
EMAIL, PASSWORD = "porteuse@pays-test.fr", "Un-mot-de-passe-solide-2019"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def last_email_to(address):
    return OutboundEmail.objects.filter(to=[address]).latest("pk")


def save(client, candidacy, slug, data):
    candidacy.refresh_from_db()
    url = reverse("applications:section", args=[candidacy.pk, slug])
    response = client.post(url, {"version": candidacy.version_of(slug), **data})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_applicant_signs_up_fills_in_two_sittings_and_submits(
    django_capture_on_commit_callbacks,
):
    wave = open_wave(name="Vague 2")
    client = Client()

    # sign up and confirm the address from the outbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "first_name": "Camille",
                "last_name": "Martin",
                "email": EMAIL,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    link = re.search(r"/compte/confirmer/[^\s]+/", last_email_to(EMAIL).body).group(0)
    assert (
        "Votre adresse est confirmée" in client.get(link, follow=True).content.decode()
    )

    # first sitting: create the candidacy, describe the territory and the lead
    response = client.post(reverse("applications:create"), {"wave": wave.pk})
    candidacy = Candidacy.objects.get()
    assert response["Location"] == candidacy.get_absolute_url()
    save(
        client,
        candidacy,
        "territoire",
        {
            "territory": "",
            "territory_name": "Pays de Test",
            "territory_kind": "pays",
            "region_codes": "27",
            "department_codes": "39",
            "epci_codes": "200071116",
            "commune_codes": "39300, 39164",
            "perimeter": "Quatre intercommunalités du Jura.",
        },
    )
    save(
        client,
        candidacy,
        "porteur",
        {
            "lead_name": "Clus'Ter Jura",
            "lead_kind": "association",
            "lead_siret": "73282932000074",
            "lead_town": "Conliège",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Camille Martin",
            "contacts-0-function": "Directrice",
            "contacts-0-email": EMAIL,
        },
    )
    client.post(reverse("accounts:logout"))

    # second sitting: log in again, finish the file, attach a PDF
    client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    page = client.get(candidacy.get_absolute_url()).content.decode()
    assert "Clus&#x27;Ter Jura" in page or "Pays de Test" in page
    assert "À compléter" in page
    save(
        client,
        candidacy,
        "partenaires",
        {
            "partners-TOTAL_FORMS": "1",
            "partners-INITIAL_FORMS": "0",
            "partners-0-name": "SCICalliance",
            "partners-0-kind": "cooperative",
            "partners-0-siret": "",
            "partners-0-role": "Habitat inclusif",
            "partners-0-commitment": "Un chargé de mission à mi-temps.",
        },
    )
    save(
        client,
        candidacy,
        "diagnostic",
        {
            "diagnosis": "Un tissu associatif dense.",
            "priority_areas": "Bassin lédonien",
            "challenges-TOTAL_FORMS": "1",
            "challenges-INITIAL_FORMS": "0",
            "challenges-0-title": "Emploi pour tous",
            "challenges-0-theme": "emploi",
            "challenges-0-objectives": "25 personnes RQTH professionnalisées.",
        },
    )
    save(
        client,
        candidacy,
        "axes",
        {f"axis_{axis.value}": f"Attentes : {axis.label}" for axis in SupportAxis},
    )
    save(
        client,
        candidacy,
        "gouvernance",
        {"governance": "Comité de pilotage", "resources": "Deux postes"},
    )
    response = client.post(
        reverse("applications:upload", args=[candidacy.pk]),
        {
            "file": SimpleUploadedFile(
                "../../lettre d'engagement.pdf", PDF, content_type="application/pdf"
            )
        },
    )
    assert response.status_code == 302
    attachment = candidacy.attachments.get()
    assert attachment.name == "lettre d'engagement.pdf"
    download = client.get(
        reverse("applications:attachment", args=[candidacy.pk, attachment.pk])
    )
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF

    # submit: receipt PDF and acknowledgment e-mail
    page = client.get(candidacy.get_absolute_url()).content.decode()
    assert "À compléter" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:submit", args=[candidacy.pk]), follow=True
        )
    assert "Votre candidature a été déposée" in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.state == "submitted"
    receipt = candidacy.receipts.get()
    acknowledgment = last_email_to(EMAIL)
    assert candidacy.reference in acknowledgment.subject
    assert receipt.content_hash in acknowledgment.body

    pdf = client.get(reverse("applications:receipt", args=[candidacy.pk, 1]))
    assert pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    from io import BytesIO

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
    assert candidacy.reference in text and "Pays de Test" in text

    # the dated history, as proof of each step
    page = client.get(candidacy.get_absolute_url()).content.decode()
    assert "Brouillon → <strong>Déposée</strong>" in page
    assert "Déposer la candidature" not in page
