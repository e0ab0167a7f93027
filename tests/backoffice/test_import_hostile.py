"""The hostile upload corpus, sent to the back office's import pages.

An import file is never stored: it is read, checked and either imported whole
or refused with the validation report. Each hostile file gets a clear French
message, nothing is imported and nothing is written under MEDIA_ROOT.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from frenchimpact import imports
from territories.models import Organisation, Territory
from tests.applications.test_uploads import APPENDED_ZIP, EXE, PDF

from .test_import import ORGANISATIONS, TERRITORIES, _report, admin_client  # noqa: F401

pytestmark = pytest.mark.django_db

CSV = b"nom,nature,codes_regions,codes_departements\nJura,pays,27,39\n"


def _xlsx_bomb() -> bytes:
    """A workbook whose sheet inflates to 200 MB (≈ 200 KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(b" " * (1024 * 1024))
    return buffer.getvalue()


def _xlsx_of(lines: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nom", "nature", "codes_regions", "codes_departements"])
    for number in range(lines):
        sheet.append([f"Territoire {number}", "pays", "27", "39"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CORPUS = {
    "executable renamed .csv": (
        "territoires.csv",
        EXE,
        "n'est pas encodé en UTF-8",
    ),
    "executable renamed .xlsx": (
        "territoires.xlsx",
        EXE,
        "n'est pas un classeur XLSX lisible",
    ),
    "PDF renamed .csv": ("territoires.csv", PDF, "n'est pas encodé en UTF-8"),
    "file over the limit": (
        "territoires.csv",
        CSV + b"#" * imports.MAX_BYTES,
        "Le fichier dépasse 5 Mo.",
    ),
    "decompression bomb in an XLSX": (
        "territoires.xlsx",
        _xlsx_bomb(),
        "se décompresse en plus de 50 Mo",
    ),
    "SVG with a script": (
        "carte.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "Seuls les fichiers CSV et XLSX sont acceptés.",
    ),
    "polyglot CSV + ZIP": (
        "territoires.csv",
        CSV + APPENDED_ZIP,
        "n'est pas encodé en UTF-8",
    ),
    "name with a null byte": (
        "territoires.csv\x00.exe",
        CSV,
        "Seuls les fichiers CSV et XLSX sont acceptés.",
    ),
    "CSV with NUL characters": (
        "territoires.csv",
        CSV.replace(b"Jura", b"Ju\x00ra"),
        "n'est pas un fichier CSV lisible",
    ),
}


@pytest.mark.parametrize("url", [TERRITORIES, ORGANISATIONS], ids=["ter", "org"])
@pytest.mark.parametrize("case", list(CORPUS), ids=list(CORPUS))
def test_hostile_import_file_is_refused_with_a_message(
    admin_client,  # noqa: F811
    settings,
    url,
    case,
):
    name, content, message = CORPUS[case]

    response = admin_client.post(url, {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    problems = [problem for _, _, problem in _report(response)]
    assert any(message in problem for problem in problems), problems
    assert not Territory.objects.exists()
    assert not Organisation.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*"))


def test_workbook_with_too_many_lines_is_refused_without_reading_them_all(
    admin_client,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr(imports, "MAX_ROWS", 20)
    monkeypatch.setattr(imports, "XLSX_MAX_LINES", 40)

    response = admin_client.post(
        TERRITORIES, {"file": SimpleUploadedFile("t.xlsx", _xlsx_of(100))}
    )

    problems = [problem for _, _, problem in _report(response)]
    assert problems == ["Le fichier dépasse 20 lignes : découpez-le."]
    assert not Territory.objects.exists()


def test_markup_in_a_cell_comes_back_escaped_in_the_report(admin_client):  # noqa: F811
    payload = '<script>alert(1)</script>"><img/src=x/onerror=alert(1)>'
    content = (
        f"nom,nature,codes_regions,codes_departements\nJura,pays,27,{payload}\n"
    ).encode()

    response = admin_client.post(
        TERRITORIES, {"file": SimpleUploadedFile("t.csv", content)}
    )

    body = response.content.decode()
    # the report quotes the bad value, as text
    assert _report(response) == [
        (
            "2",
            "codes_departements",
            f"Code de département inconnu du Code officiel géographique : {payload}.",
        )
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert "<img/src=x" not in body
    assert not Territory.objects.exists()
