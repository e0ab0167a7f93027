"""The hostile upload corpus, sent through every view that accepts a file.

Each file is refused with a clear French message shown on the page, and
nothing is stored: no row, no file in MEDIA_ROOT. ``UPLOAD_FIELDS`` lists
the views; ``test_every_upload_field_is_covered`` fails when a form with a
file field is added to the project without being listed here.
"""

import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from applications.models import Attachment
from challenges.models import ProgressReport
from reviews.models import ExpertRequest
from tests.applications.test_uploads import (
    APPENDED_ZIP,
    EXE,
    PDF,
    docx_entries,
    make_pdf,
)

from .test_hostile_input import FORM_CLASSES, _record
from .world import EXPERT_A, LEAD_A

pytestmark = pytest.mark.django_db

LIMIT = 1024 * 1024  # UPLOAD_MAX_BYTES here: 1 Mo, more than the ZIP bomb weighs


@dataclass(frozen=True)
class UploadField:
    form: str  # module.Class of the form holding the file field
    url: str
    role: str
    kwargs: object
    data: object  # the other fields, valid
    field: str
    state: object


UPLOAD_FIELDS = [
    UploadField(
        "applications.forms.AttachmentForm",
        "applications:upload",
        LEAD_A,
        lambda w: {"pk": w.draft.pk},
        lambda w: {"description": "Pièce"},
        "file",
        lambda w: list(Attachment.objects.values_list("pk", "name", "sha256")),
    ),
    UploadField(
        "challenges.forms.ProgressReportForm",
        "challenges:report_create",
        LEAD_A,
        lambda w: {"objective_pk": w.objective.pk},
        lambda w: {"reported_on": "2024-12-31", "value": "12", "comment": "Mesure"},
        "evidence",
        lambda w: list(ProgressReport.objects.values_list("pk", "value", "evidence")),
    ),
    UploadField(
        "reviews.forms.ExpertAnswerForm",
        "reviews:expert_request",
        EXPERT_A,
        lambda w: {"pk": w.expert_request.pk},
        lambda w: {"answer": "Avis de l'expert"},
        "file",
        lambda w: list(
            ExpertRequest.objects.values_list(
                "pk", "answer", "answered_at", "attachment", "attachment_name"
            )
        ),
    ),
]


def _zip_bomb_docx() -> bytes:
    """A DOCX with one entry of 200 MB of zeros (≈ 200 KB compressed at
    level 9: small enough to pass the size limit, huge once inflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in docx_entries():
            zf.writestr(name, data)
        with zf.open("word/media/image1.png", "w", force_zip64=True) as entry:
            chunk = bytes(1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


def _oversized_pdf() -> bytes:
    filler = b"0" * (LIMIT + 10)
    return make_pdf(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(filler), filler))


@pytest.fixture(scope="module")
def corpus():
    return {
        "executable renamed .pdf": ("rapport.pdf", EXE),
        "PDF over the limit": ("gros-rapport.pdf", _oversized_pdf()),
        "ZIP bomb inside a DOCX": ("note.docx", _zip_bomb_docx()),
        "SVG with a script": (
            "carte.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        "polyglot PDF + ZIP": ("rapport.pdf", PDF + APPENDED_ZIP),
        "path-traversal name": ("../../../../etc/passwd", PDF),
        "name with a null byte": ("rapport.pdf\x00.exe", PDF),
        "10,000-character name": ("a" * 10_000 + ".pdf", PDF),
    }


def _media_files(root) -> set[str]:
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_every_upload_field_is_covered():
    with_files = sorted(
        f"{form.__module__}.{form.__name__}"
        for form in FORM_CLASSES
        if any(isinstance(f, forms.FileField) for f in form.base_fields.values())
    )
    assert with_files == sorted(u.form for u in UPLOAD_FIELDS)


def _error_shown(body: str) -> str:
    """The field's error message as the page shows it (DSFR error text)."""
    found = re.search(r'class="fr-error-text"[^>]*>\s*(.*?)\s*</p>', body, re.S)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("upload", UPLOAD_FIELDS, ids=lambda u: u.url)
def test_hostile_corpus_is_refused_and_nothing_stored(world, settings, corpus, upload):
    settings.UPLOAD_MAX_BYTES = LIMIT
    client = Client(raise_request_exception=False)
    client.force_login(world.users[upload.role])
    url = reverse(upload.url, kwargs=upload.kwargs(world))
    refused = {}
    for label, (name, content) in corpus.items():
        with transaction.atomic():
            before_rows = upload.state(world)
            before_files = _media_files(settings.MEDIA_ROOT)
            response = client.post(
                url,
                {
                    **upload.data(world),
                    upload.field: SimpleUploadedFile(
                        name, content, content_type="application/pdf"
                    ),
                },
            )
            after_rows = upload.state(world)
            after_files = _media_files(settings.MEDIA_ROOT)
            transaction.set_rollback(True)
        body = response.content.decode()
        assert response.status_code in {200, 400}, (label, response.status_code)
        message = _error_shown(body)
        # a French sentence that names the file and says what is wrong
        assert message.startswith(("Le ", "L'")), (label, message)
        assert "fichier" in message or "document" in message, (label, message)
        assert body.count("fr-alert--error") == 1, label  # summed up on top
        assert after_rows == before_rows, label
        assert after_files == before_files, label
        refused[label] = message
    assert len(refused) == len(corpus) == 8
    _record(f"upload {upload.url}", {"url": upload.url, "refused": refused})


def test_traversal_in_an_accepted_name_stays_in_media_root(world, settings):
    """A valid PDF whose name climbs directories is kept under its base name,
    inside MEDIA_ROOT."""
    client = Client(raise_request_exception=False)
    client.force_login(world.users[LEAD_A])
    outside = Path(settings.MEDIA_ROOT).parent / "evade.pdf"
    with transaction.atomic():
        response = client.post(
            reverse("applications:upload", kwargs={"pk": world.draft.pk}),
            {"file": SimpleUploadedFile("../../evade.pdf", PDF), "description": ""},
        )
        attachment = Attachment.objects.filter(candidacy=world.draft).latest("pk")
        stored = Path(attachment.file.path).resolve()
        transaction.set_rollback(True)

    assert response.status_code == 302
    assert attachment.name == "evade.pdf"
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not outside.exists()
