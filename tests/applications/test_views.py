import re

import pytest
from django.urls import reverse

from applications import services
from applications.models import Candidacy
from tests.factories import UserFactory, candidacy_for, complete, open_wave

pytestmark = pytest.mark.django_db


def section_url(candidacy, slug):
    return reverse("applications:section", args=[candidacy.pk, slug])


def lead_post(candidacy, slug, data, client, version=None):
    version = candidacy.version_of(slug) if version is None else version
    return client.post(section_url(candidacy, slug), {"version": version, **data})


CANDIDACY_URLS = [
    ("detail", "get", {}),
    ("section", "get", {"slug": "territoire"}),
    ("section", "post", {"slug": "territoire"}),
    ("submit", "post", {}),
    ("withdraw", "post", {}),
    ("invite", "post", {}),
    ("upload", "post", {}),
]


@pytest.mark.parametrize("name, method, extra", CANDIDACY_URLS)
def test_outsider_applicant_gets_404_everywhere(client, name, method, extra):
    candidacy = candidacy_for()
    outsider = UserFactory()
    client.force_login(outsider)

    url = reverse(f"applications:{name}", kwargs={"pk": candidacy.pk, **extra})
    response = getattr(client, method)(url, {"email": "x@example.org"})

    assert response.status_code == 404
    assert Candidacy.objects.get(pk=candidacy.pk).state == "draft"
    assert candidacy.reference not in response.content.decode()


def test_outsider_cannot_download_attachment_or_receipt(client, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    candidacy = complete(candidacy_for())
    attachment = services.add_attachment(
        candidacy_id=candidacy.pk,
        user=candidacy.created_by,
        uploaded_file=SimpleUploadedFile(
            "note.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        ),
    )
    client.force_login(UserFactory())

    for url in (
        reverse("applications:attachment", args=[candidacy.pk, attachment.pk]),
        reverse("applications:receipt", args=[candidacy.pk, 1]),
        reverse("applications:delete_attachment", args=[candidacy.pk, attachment.pk]),
    ):
        method = client.post if "supprimer" in url else client.get
        assert method(url).status_code == 404
    assert candidacy.attachments.count() == 1


def test_anonymous_is_sent_to_login(client):
    candidacy = candidacy_for()

    response = client.get(candidacy.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_lists_only_my_candidacies(client):
    mine = candidacy_for()
    theirs = candidacy_for()
    client.force_login(mine.created_by)

    body = client.get(reverse("applications:dashboard")).content.decode()

    assert mine.reference in body
    assert theirs.reference not in body


def test_section_save_and_checklist(client):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)

    response = lead_post(
        candidacy,
        "porteur",
        {
            "lead_name": "Clus'Ter Jura",
            "lead_kind": "association",
            "lead_siret": "732 829 320 00074",
            "lead_town": "Conliège",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Camille Martin",
            "contacts-0-function": "Directrice",
            "contacts-0-email": "camille@example.org",
            "contacts-0-phone": "",
        },
        client,
    )

    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.lead_siret == "73282932000074"
    assert candidacy.contacts.get().name == "Camille Martin"
    assert candidacy.version_of("porteur") == 1
    body = client.get(candidacy.get_absolute_url()).content.decode()
    assert "La structure porteuse et les personnes à contacter" in body
    assert "le nom du territoire" in body  # still missing


@pytest.mark.parametrize(
    "slug, data, field, message",
    [
        ("porteur", {"lead_siret": "12345678901234"}, "lead_siret", "SIRET"),
        (
            "territoire",
            {"department_codes": "39, 99"},
            "department_codes",
            "Code de département inconnu",
        ),
        ("territoire", {"commune_codes": "39300 00000"}, "commune_codes", "00000"),
        (
            "territoire",
            {"region_codes": "53", "department_codes": "39"},
            "department_codes",
            "dans aucune des régions",
        ),
        ("gouvernance", {"governance": "x" * 5001}, "governance", "5000"),
    ],
)
def test_bad_input_gets_form_error_and_nothing_is_saved(
    client, slug, data, field, message
):
    candidacy = candidacy_for(governance="Texte déjà enregistré")
    client.force_login(candidacy.created_by)
    formsets = {
        "porteur": {"contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"},
    }.get(slug, {})

    response = lead_post(candidacy, slug, {**data, **formsets}, client)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'id="id_{field}"' in body
    fresh = Candidacy.objects.get(pk=candidacy.pk)
    assert fresh.governance == "Texte déjà enregistré"
    assert fresh.version_of(slug) == 0


def test_tampered_version_field_is_a_form_error(client):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)

    response = client.post(
        section_url(candidacy, "gouvernance"),
        {"version": "abc", "governance": "x", "resources": "y"},
    )

    assert response.status_code == 400
    assert Candidacy.objects.get(pk=candidacy.pk).governance == ""


def test_concurrent_edit_shows_conflict_and_loses_nothing(client):
    candidacy = candidacy_for()
    co_editor = UserFactory()
    candidacy.memberships.create(user=co_editor, role="co_editor")
    other = client.__class__()
    client.force_login(candidacy.created_by)
    other.force_login(co_editor)

    first = lead_post(
        candidacy,
        "gouvernance",
        {"governance": "Version du responsable", "resources": "A"},
        client,
        version=0,
    )
    second = lead_post(
        candidacy,
        "gouvernance",
        {"governance": "Version du co-rédacteur", "resources": "B"},
        other,
        version=0,
    )

    assert first.status_code == 302
    assert second.status_code == 409
    body = second.content.decode()
    assert "Quelqu&#x27;un a enregistré cette rubrique" in body or (
        "Quelqu'un a enregistré cette rubrique" in body
    )
    assert "Version du responsable" in body  # what the other saved
    assert "Version du co-rédacteur" in body  # what this user typed, kept
    assert Candidacy.objects.get(pk=candidacy.pk).governance == "Version du responsable"
    # saving again from the conflict page keeps the co-editor's version
    version = re.search(r'name="version" value="(\d+)"', body).group(1)
    third = lead_post(
        candidacy,
        "gouvernance",
        {"governance": "Version du co-rédacteur", "resources": "B"},
        other,
        version=int(version),
    )
    assert third.status_code == 302
    assert (
        Candidacy.objects.get(pk=candidacy.pk).governance == "Version du co-rédacteur"
    )


def test_expired_session_keeps_what_was_typed(client):
    candidacy = candidacy_for()
    lead = candidacy.created_by
    url = section_url(candidacy, "gouvernance")

    response = client.post(
        url,
        {"version": 0, "governance": "Texte tapé longuement", "resources": "Moyens"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    client.post(
        reverse("accounts:login"),
        {"username": lead.email, "password": "motdepasse-solide-1"},
    )
    body = client.get(url).content.decode()

    assert "Texte tapé longuement" in body
    assert "Vos saisies non enregistrées ont été restaurées" in body
    assert Candidacy.objects.get(pk=candidacy.pk).governance == ""


def test_after_deadline_file_is_read_only(client):
    wave = open_wave()
    candidacy = candidacy_for(wave=wave)
    client.force_login(candidacy.created_by)
    from django.utils import timezone

    wave.closes_at = timezone.now()
    wave.save()

    response = lead_post(
        candidacy, "gouvernance", {"governance": "Trop tard", "resources": "x"}, client
    )

    assert response.status_code == 409
    assert "plus modifiable" in response.content.decode()
    assert Candidacy.objects.get(pk=candidacy.pk).governance == ""
    page = client.get(section_url(candidacy, "gouvernance")).content.decode()
    assert "lecture seule" in page


def test_submit_view_after_deadline_shows_message(client):
    candidacy = complete(candidacy_for())
    client.force_login(candidacy.created_by)
    from django.utils import timezone

    candidacy.wave.closes_at = timezone.now()
    candidacy.wave.save()

    response = client.post(
        reverse("applications:submit", args=[candidacy.pk]), follow=True
    )

    assert "date limite" in response.content.decode()
    assert Candidacy.objects.get(pk=candidacy.pk).state == "draft"


def test_co_editor_invited_edits_but_cannot_submit(client, mailoutbox_rows):
    candidacy = complete(candidacy_for())
    client.force_login(candidacy.created_by)
    client.post(
        reverse("applications:invite", args=[candidacy.pk]), {"email": "co@example.org"}
    )
    body = mailoutbox_rows()[-1].body
    link = re.search(r"(/invitations/[^\s]+/)", body).group(1)

    co_editor = UserFactory(email="co@example.org")
    other = client.__class__()
    other.force_login(co_editor)
    other.post(link)

    assert candidacy.memberships.filter(user=co_editor, role="co_editor").exists()
    page = other.get(candidacy.get_absolute_url()).content.decode()
    assert "Seul le responsable de la candidature peut la déposer." in page
    response = other.post(
        reverse("applications:submit", args=[candidacy.pk]), follow=True
    )
    assert "responsable" in response.content.decode()
    assert Candidacy.objects.get(pk=candidacy.pk).state == "draft"


def test_invitation_for_another_address_is_refused(client, mailoutbox_rows):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)
    client.post(
        reverse("applications:invite", args=[candidacy.pk]), {"email": "co@example.org"}
    )
    link = re.search(r"(/invitations/[^\s]+/)", mailoutbox_rows()[-1].body).group(1)
    intruder = UserFactory(email="intrus@example.org")
    other = client.__class__()
    other.force_login(intruder)

    other.post(link)

    assert not candidacy.memberships.filter(user=intruder).exists()
    assert other.get("/invitations/forged-token/").status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 200, "programme"),
        ("vide.pdf", b"", "vide"),
        ("../../etc/passwd.pdf", b"#!/bin/sh\necho pwned\n", "programme"),
    ],
)
def test_hostile_upload_refused_with_message_and_nothing_saved(
    client, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)

    response = client.post(
        reverse("applications:upload", args=[candidacy.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "fr-error-text" in body
    assert message in body.lower() or message in body
    assert candidacy.attachments.count() == 0


def test_tampered_state_field_is_ignored(client):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)

    response = lead_post(
        candidacy,
        "gouvernance",
        {
            "governance": "G",
            "resources": "R",
            "state": "labelled",
            "reference": "HACK",
            "wave": "999",
            "created_by": "1",
        },
        client,
    )

    assert response.status_code == 302
    fresh = Candidacy.objects.get(pk=candidacy.pk)
    assert (fresh.state, fresh.reference, fresh.governance) == (
        "draft",
        candidacy.reference,
        "G",
    )
