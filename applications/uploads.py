"""Checks of the files attached to a candidacy, made on their content.

``check_upload`` accepts only PDF, ODT, DOCX, PNG and JPEG files, recognised by
their content and structure (never by the name or the browser's content type),
and refuses what could harm the people who will open them: executables, web
pages and SVG, macro-enabled or encrypted documents, ZIP bombs, polyglots and
PDFs carrying active content. Every refusal is a ``ValidationError`` with a
French message for the applicant and a distinct ``code``.

``safe_filename`` turns the name given by the browser into one that can be
shown and used in a ``Content-Disposition`` header.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image

__all__ = [
    "CONTENT_TYPES",
    "EXTENSIONS",
    "MESSAGES",
    "CheckedUpload",
    "check_upload",
    "safe_filename",
]

# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------

#: Django truncates longer names to 255 characters (keeping the extension)
#: before we see them, so a name that reaches 255 may be a truncated longer one.
MAX_NAME_LENGTH = 255
#: Largest image accepted, in pixels (width × height): a decompression bomb is
#: a small file that declares huge dimensions.
MAX_IMAGE_PIXELS = 40_000_000
#: ZIP (DOCX, ODT) limits.
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
#: Entries smaller than this are not checked for their ratio: a small XML
#: part full of repeated markup can compress very well and harm no one.
ZIP_RATIO_MIN_SIZE = 1024 * 1024
#: Largest size of the small parts read to recognise a document.
ZIP_MAX_PART = 1024 * 1024
#: Bytes after the end marker of a PDF or an image tolerated (besides NUL
#: and whitespace padding, which some tools add).
TRAILING_TOLERANCE = 16
#: Size of the windows at the start and the end of the file searched for the
#: signatures of other formats.
SCAN_WINDOW = 16 * 1024
#: A ZIP reader looks for its end record in the last 64 KiB + 22 bytes.
ZIP_EOCD_WINDOW = 65_536 + 22
#: Most bytes inflated from the compressed object streams of one PDF.
PDF_MAX_INFLATED = 64 * 1024 * 1024
#: Most streams in one PDF (large real documents have a few tens of thousands).
PDF_MAX_STREAMS = 100_000
#: Most chunks of a PNG and segments of a JPEG (real images have a few hundred
#: at most); guards the parsing loops against crafted files.
IMAGE_MAX_PARTS = 100_000

MEBIBYTE = 1024 * 1024

# ---------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
#: Accepted extensions of each kind, the canonical one first.
EXTENSIONS = {
    "pdf": ("pdf",),
    "odt": ("odt",),
    "docx": ("docx",),
    "png": ("png",),
    "jpeg": ("jpg", "jpeg"),
}
_CONTENT_LABELS = {
    "pdf": _("un PDF"),
    "odt": _("un document ODT"),
    "docx": _("un document DOCX"),
    "png": _("une image PNG"),
    "jpeg": _("une image JPEG"),
    "zip": _("un document ODT ou DOCX"),
}
_EXPECTED_LABELS = {
    "pdf": _("« .pdf »"),
    "odt": _("« .odt »"),
    "docx": _("« .docx »"),
    "png": _("« .png »"),
    "jpeg": _("« .jpg » ou « .jpeg »"),
}

MESSAGES = {
    "name_null_byte": _(
        "Le nom du fichier « %(name)s » contient un caractère nul, ce qui n'est "
        "pas autorisé : renommez le fichier puis déposez-le de nouveau."
    ),
    "name_too_long": _(
        "Le nom du fichier est trop long : il doit compter moins de %(limit)d "
        "caractères. Renommez le fichier puis déposez-le de nouveau."
    ),
    "empty": _("Le fichier « %(name)s » est vide."),
    "too_large": _(
        "Le fichier « %(name)s » est trop volumineux (%(size)s Mo) : la taille "
        "maximale est de %(limit)s Mo."
    ),
    "executable": _(
        "Le fichier « %(name)s » est un programme ou un script, pas un document : "
        "seuls les fichiers PDF, ODT, DOCX, PNG et JPEG sont acceptés."
    ),
    "markup": _(
        "Le fichier « %(name)s » est une page web, une image SVG ou un fichier "
        "XML : ces formats ne sont pas acceptés. Déposez un fichier PDF, ODT, "
        "DOCX, PNG ou JPEG."
    ),
    "legacy_office": _(
        "Le fichier « %(name)s » est un document Office ancien (.doc, .xls…) ou "
        "protégé par un mot de passe : enregistrez-le au format PDF, ODT ou DOCX, "
        "sans mot de passe, puis déposez-le."
    ),
    "unsupported_type": _(
        "Le fichier « %(name)s » n'est pas un PDF, ODT, DOCX, PNG ou JPEG "
        "valide : son contenu ne correspond à aucun de ces formats."
    ),
    "unsupported_archive": _(
        "Le fichier « %(name)s » est une archive ZIP ou un document d'un type "
        "non accepté (tableur, présentation, modèle…) : seuls les documents "
        "texte ODT et DOCX sont acceptés."
    ),
    "corrupt": _(
        "Le fichier « %(name)s » semble être %(content)s, mais il est endommagé "
        "ou incomplet : ouvrez-le, enregistrez-le de nouveau, puis déposez-le."
    ),
    "extension_mismatch": _(
        "L'extension du fichier « %(name)s » ne correspond pas à son contenu : "
        "c'est %(content)s, son nom doit donc se terminer par %(expected)s."
    ),
    "image_too_large": _(
        "L'image « %(name)s » est trop grande (plus de %(limit)s millions de "
        "pixels) : réduisez ses dimensions puis déposez-la de nouveau."
    ),
    "zip_too_many_entries": _(
        "Le document « %(name)s » est refusé : il est composé de trop "
        "d'éléments internes (plus de %(limit)d)."
    ),
    "zip_bomb": _(
        "Le document « %(name)s » est refusé : une fois décompressé, il serait "
        "anormalement volumineux (plus de %(limit)s Mo, ou plus de %(ratio)d fois "
        "sa taille). Il peut s'agir d'une « bombe de décompression »."
    ),
    "zip_unsafe_path": _(
        "Le document « %(name)s » est refusé : il contient des éléments dont le "
        "chemin est dangereux (chemin absolu, « .. » ou lien symbolique)."
    ),
    "zip_nested_archive": _(
        "Le document « %(name)s » est refusé : il contient une autre archive ou "
        "un autre document compressé."
    ),
    "zip_executable": _(
        "Le document « %(name)s » est refusé : il contient un programme ou un script."
    ),
    "encrypted": _(
        "Le fichier « %(name)s » est chiffré ou protégé par un mot de passe : "
        "déposez une version sans protection."
    ),
    "macro": _(
        "Le document « %(name)s » contient des macros ou des contrôles actifs, "
        "qui ne sont pas acceptés : enregistrez-le au format DOCX ou ODT sans "
        "macros (ou en PDF), puis déposez-le."
    ),
    "polyglot": _(
        "Le fichier « %(name)s » est refusé : en plus de son contenu, il cache "
        "des données d'un autre format (archive, page web ou programme)."
    ),
    "hidden_data": _(
        "Le fichier « %(name)s » est refusé : des données inconnues ont été "
        "ajoutées après la fin de son contenu ou entre ses parties. "
        "Enregistrez-le de nouveau depuis votre logiciel, puis déposez-le."
    ),
    "active_content": _(
        "Le PDF « %(name)s » contient du contenu actif (JavaScript, lancement "
        "de programme ou fichiers joints), qui n'est pas accepté : "
        "enregistrez-en une copie avec « Imprimer » puis « Enregistrer au "
        "format PDF », et déposez cette copie."
    ),
    "pdf_unverifiable": _(
        "Le PDF « %(name)s » ne peut pas être vérifié : il est chiffré, protégé "
        "ou compressé de façon inhabituelle. Enregistrez-en une copie avec "
        "« Imprimer » puis « Enregistrer au format PDF », et déposez cette copie."
    ),
}


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # one of "pdf", "odt", "docx", "png", "jpeg"
    content_type: str  # canonical MIME type
    safe_name: str  # sanitised name, extension matching the kind
    size: int
    sha256: str  # hex digest of the content


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[/\\]")
_RESERVED = re.compile(r'[<>:"|?*]')
_WHITESPACE = re.compile(r"\s+")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
# Control, format (bidi overrides, zero-width), surrogate, private-use and
# unassigned characters.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def safe_filename(name: str, *, kind: str | None = None, max_length: int = 120) -> str:
    """Return ``name`` made safe to show and to put in a Content-Disposition.

    Keeps only the last path component (``/`` and ``\\`` both separate),
    drops control and invisible characters, replaces the characters Windows
    reserves, collapses whitespace, removes leading dots, keeps accents (NFC)
    and truncates to ``max_length`` keeping the extension. With ``kind``, the
    extension is forced to one of that kind (the canonical one unless the
    name already has an accepted one). Falls back to ``document.<ext>``.
    """
    if kind is not None and kind not in EXTENSIONS:
        raise ValueError(f"Unknown kind {kind!r}")
    if max_length < 16:
        raise ValueError("max_length must be at least 16")

    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    text = _SEPARATORS.split(text)[-1]
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\n\r\x0b\x0c" or category in ("Zs", "Zl", "Zp"):
            kept.append(" ")
        elif category not in _DROPPED_CATEGORIES:
            kept.append(char)
    text = _RESERVED.sub("_", "".join(kept))
    text = _WHITESPACE.sub(" ", text).strip(" .")

    match = _EXTENSION.search(text)
    if match and match.start() > 0:
        stem, extension = text[: match.start()], match.group(1).lower()
    else:
        stem, extension = text, ""

    if kind is not None and extension not in EXTENSIONS[kind]:
        if extension and not extension.isalpha():
            # "scan.2024" is a name, not a file type: keep it whole.
            stem = f"{stem}.{extension}"
        extension = EXTENSIONS[kind][0]

    if stem.upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    suffix = f".{extension}" if extension else ""
    stem = stem[: max_length - len(suffix)].strip(" .")
    if not stem.strip("_ -"):
        stem = "document"
    return f"{stem}{suffix}"


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def check_upload(uploaded_file, *, max_bytes: int) -> CheckedUpload:
    """Check an uploaded attachment; return what is known of it or refuse it.

    Raises ``ValidationError`` (message in French, one ``code`` per reason).
    The file is left at position 0.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    raw_name = uploaded_file.name or ""
    name = safe_filename(raw_name)
    if "\x00" in raw_name:
        raise _refuse("name_null_byte", name=name)
    if len(raw_name) >= MAX_NAME_LENGTH:
        raise _refuse("name_too_long", limit=MAX_NAME_LENGTH)

    declared = uploaded_file.size
    if declared is not None and declared > max_bytes:
        raise _too_large(name, declared, max_bytes)
    try:
        data = _read(uploaded_file, max_bytes)
    finally:
        _rewind(uploaded_file)
    if data is None:
        raise _too_large(name, max(declared or 0, max_bytes + 1), max_bytes)
    if not data:
        raise _refuse("empty", name=name)

    kind = _sniff(data, name)
    if kind == "pdf":
        _check_pdf(data, name)
    elif kind in ("png", "jpeg"):
        _check_image(data, name, kind)
    else:
        kind = _check_zip(data, name)

    _check_extension(name, kind)
    return CheckedUpload(
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        safe_name=safe_filename(raw_name, kind=kind),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _too_large(name: str, size: int, max_bytes: int) -> ValidationError:
    return _refuse(
        "too_large",
        name=name,
        size=_megabytes(size, round_up=True),
        limit=_megabytes(max_bytes),
    )


def _megabytes(size: int, *, round_up: bool = False) -> str:
    """Size in Mo with at most one decimal; rounded up for the size of a file
    refused as too large, so that it never reads as equal to the limit."""
    tenths = size * 10 / MEBIBYTE
    tenths = math.ceil(tenths) if round_up else math.floor(tenths)
    if tenths % 10 == 0:
        return number_format(tenths // 10)
    return number_format(tenths / 10, decimal_pos=1)


def _read(uploaded_file, max_bytes: int) -> bytes | None:
    """Return the content, or None when it is larger than ``max_bytes``."""
    if getattr(uploaded_file, "closed", False):
        uploaded_file.open()
    parts, total = [], 0
    for chunk in uploaded_file.chunks():
        total += len(chunk)
        if total > max_bytes:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _rewind(uploaded_file) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        uploaded_file.seek(0)


def _check_extension(name: str, kind: str) -> None:
    match = _EXTENSION.search(name)
    extension = match.group(1).lower() if match and match.start() > 0 else ""
    if extension not in EXTENSIONS[kind]:
        raise _refuse(
            "extension_mismatch",
            name=name,
            content=_CONTENT_LABELS[kind],
            expected=_EXPECTED_LABELS[kind],
        )


# ---------------------------------------------------------------------------
# Recognising the content
# ---------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows (PE, DOS)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\x00asm",  # WebAssembly
    b"#!",  # script with a shebang
)
_MARKUP_START = re.compile(
    rb"\s*(?:<\?xml|<!doctype|<html|<svg|<script|<!--|<\?php|<head|<body)", re.I
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _sniff(data: bytes, name: str) -> str:
    """Return "pdf", "png", "jpeg" or "zip", or refuse the file."""
    if _PDF_HEADER.match(data):
        return "pdf"
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(_JPEG_SIGNATURE):
        return "jpeg"
    if data.startswith(_ZIP_SIGNATURE):
        return "zip"
    if data.startswith(_EXECUTABLE_SIGNATURES):
        raise _refuse("executable", name=name)
    if data.startswith(_OLE_SIGNATURE):
        raise _refuse("legacy_office", name=name)
    head = data[:1024]
    for bom in _BOMS:
        if head.startswith(bom):
            encoding = "utf-8" if bom == _BOMS[0] else "utf-16"
            head = head.decode(encoding, "ignore").encode("utf-8", "ignore")
            break
    if _MARKUP_START.match(head) or _FOREIGN_MARKUP.search(head):
        raise _refuse("markup", name=name)
    raise _refuse("unsupported_type", name=name)


# ---------------------------------------------------------------------------
# Polyglots: signatures of other formats inside a valid file
# ---------------------------------------------------------------------------

_FOREIGN_MARKUP = re.compile(
    rb"<(?:script|html|!doctype\s+html|iframe|svg|\?php)(?![a-z0-9])", re.I
)
_EXECUTABLE_MARKERS = (b"This program cannot be run in DOS mode", b"\x7fELF")
_ARCHIVE_MARKERS = (b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")


def _check_polyglot(data: bytes, name: str, kind: str) -> None:
    head, tail = data[:SCAN_WINDOW], data[-SCAN_WINDOW:]
    if kind != "zip":
        # A ZIP reader finds the end record anywhere in the last 64 KiB.
        eocd_window = data[-ZIP_EOCD_WINDOW:]
        for marker in _ARCHIVE_MARKERS:
            if marker in head or marker in eocd_window:
                raise _refuse("polyglot", name=name)
    if kind != "pdf" and b"%PDF-" in data[:1024]:
        # PDF readers accept the header anywhere in the first KiB.
        raise _refuse("polyglot", name=name)
    for window in (head, tail):
        if _FOREIGN_MARKUP.search(window):
            raise _refuse("polyglot", name=name)
        if any(marker in window for marker in _EXECUTABLE_MARKERS):
            raise _refuse("polyglot", name=name)
    if _EXECUTABLE_MARKERS[0] in data:
        raise _refuse("polyglot", name=name)


def _check_trailing(trailing: bytes, name: str) -> None:
    if len(trailing.strip(b"\x00 \t\r\n\x0c")) > TRAILING_TOLERANCE:
        raise _refuse("hidden_data", name=name)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

_DELIMITERS = rb"\x00\t\n\x0c\r ()<>\[\]{}/%"
_PDF_NAME = re.compile(rb"/([^" + _DELIMITERS + rb"]*)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")


def _pdf_name_pattern(*words: bytes) -> re.Pattern:
    """Match the PDF names ``words``, each character plain or written ``#xx``
    (``/J#61vaScript`` is ``/JavaScript``), and nothing longer."""

    def spellings(char: int) -> bytes:
        high, low = b"%02X" % char
        hex_ = b"#%c[%c%c]" % (high, low, bytes([low]).lower()[0])
        return b"(?:" + re.escape(bytes([char])) + b"|" + hex_ + b")"

    words_ = b"|".join(b"".join(spellings(char) for char in word) for word in words)
    return re.compile(b"/(?:" + words_ + b")(?=[" + _DELIMITERS + rb"]|\Z)")


# Names of active content long enough not to occur by chance in binary data:
# searched everywhere, even in streams (a wrong /Length could make a reader
# parse a stream as objects).
_PDF_LONG_ACTIVE = _pdf_name_pattern(
    b"JavaScript", b"Launch", b"EmbeddedFiles", b"EmbeddedFile", b"RichMedia"
)
# All of them, short ones included (/JS, /XFA: XML forms carry their own
# scripts): searched outside the streams and in the inflated object streams.
_PDF_ACTIVE = _pdf_name_pattern(
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFiles",
    b"EmbeddedFile",
    b"RichMedia",
    b"XFA",
)
_PDF_ENCRYPT = _pdf_name_pattern(b"Encrypt")
_PDF_OBJECT_STREAM = _pdf_name_pattern(b"ObjStm")
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_PDF_FLATE = frozenset({b"FlateDecode", b"Fl"})
_PDF_OTHER_FILTERS = frozenset(
    {
        b"ASCIIHexDecode",
        b"AHx",
        b"ASCII85Decode",
        b"A85",
        b"LZWDecode",
        b"LZW",
        b"RunLengthDecode",
        b"RL",
        b"CCITTFaxDecode",
        b"CCF",
        b"JBIG2Decode",
        b"DCTDecode",
        b"DCT",
        b"JPXDecode",
        b"Crypt",
        b"Predictor",
    }
)


def _pdf_names(text: bytes) -> set[bytes]:
    return {
        _PDF_HEX.sub(lambda match: bytes([int(match.group(1), 16)]), raw)
        for raw in _PDF_NAME.findall(text)
    }


def _check_pdf(data: bytes, name: str) -> None:
    end = data.rfind(b"%%EOF")
    if end < 0 or b"obj" not in data:
        raise _refuse("corrupt", name=name, content=_CONTENT_LABELS["pdf"])
    _check_polyglot(data, name, "pdf")
    _check_trailing(data[end + 5 :], name)

    if _PDF_LONG_ACTIVE.search(data):
        raise _refuse("active_content", name=name)
    # Short names (/JS) are searched only where they cannot occur by chance
    # in compressed data.
    outside, object_streams = _split_pdf_streams(data, name)
    if _PDF_ACTIVE.search(outside):
        raise _refuse("active_content", name=name)
    if not object_streams:
        return
    if _PDF_ENCRYPT.search(outside):
        # Object streams are encrypted: their dictionaries cannot be read.
        raise _refuse("pdf_unverifiable", name=name)
    budget = PDF_MAX_INFLATED
    for header, body in object_streams:
        content = _inflate_object_stream(header, body, budget, name)
        budget -= len(content)
        if _PDF_ACTIVE.search(content):
            raise _refuse("active_content", name=name)


def _split_pdf_streams(data: bytes, name: str):
    """Return the text outside the streams, and the object streams as
    (dictionary, raw content) pairs."""
    outside, object_streams, position = [], [], 0
    for _count in range(PDF_MAX_STREAMS + 1):
        match = _PDF_STREAM.search(data, position)
        if match is None:
            outside.append(data[position:])
            return b"".join(outside), object_streams
        outside.append(data[position : match.start()])
        lowest = max(position, match.start() - 4096)
        start = data.rfind(b"obj", lowest, match.start())
        header = data[start if start >= 0 else lowest : match.start()]
        end = data.find(b"endstream", match.end())
        if end < 0:
            end = len(data)
        if _PDF_OBJECT_STREAM.search(header):
            object_streams.append((header, data[match.end() : end]))
        position = end + len(b"endstream")
    raise _refuse("pdf_unverifiable", name=name)


def _inflate_object_stream(header: bytes, body: bytes, budget: int, name: str):
    names = _pdf_names(header)
    if names & _PDF_OTHER_FILTERS:
        raise _refuse("pdf_unverifiable", name=name)
    if not names & _PDF_FLATE:
        return body
    decompressor = zlib.decompressobj()
    try:
        content = decompressor.decompress(body, budget + 1)
    except zlib.error as error:
        raise _refuse("pdf_unverifiable", name=name) from error
    if len(content) > budget:
        raise _refuse("pdf_unverifiable", name=name)
    return content


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------

# In entropy-coded JPEG data, 0xFF is followed by 0x00 (stuffing), a restart
# marker (0xD0-0xD7) or 0xFF (fill); anything else is the next marker.
_JPEG_MARKER = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])")
_JPEG_FILL = re.compile(rb"\xff+")
# Start of frame markers (0xC4 DHT, 0xC8 JPG and 0xCC DAC are not frames).
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PIL_FORMATS = {"png": ("PNG",), "jpeg": ("JPEG", "MPO")}


def _check_image(data: bytes, name: str, kind: str) -> None:
    corrupt = _refuse("corrupt", name=name, content=_CONTENT_LABELS[kind])
    end = _png_end(data) if kind == "png" else _jpeg_end(data)
    if end is None:
        raise corrupt
    _check_polyglot(data, name, kind)
    _check_trailing(data[end:], name)

    too_large = _refuse(
        "image_too_large", name=name, limit=number_format(MAX_IMAGE_PIXELS // 10**6)
    )
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind][0]]) as image:
            if image.format not in _PIL_FORMATS[kind]:
                raise corrupt
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_large
            image.verify()  # PNG: chunk checksums
        if kind == "jpeg":
            # Decode the scans at 1/8 scale: finds truncated or broken data
            # without the cost of a full decode.
            with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
                image.draft(None, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise too_large from error
    except Exception as error:  # Pillow raises many types on broken input
        raise corrupt from error


def _png_end(data: bytes) -> int | None:
    """Return the offset just after the IEND chunk, or None."""
    position = len(_PNG_SIGNATURE)
    for _count in range(IMAGE_MAX_PARTS):
        if position + 12 > len(data):
            return None
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length
        if position > len(data):
            return None
        if chunk_type == b"IEND":
            return position
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Return the offset just after the EOI marker of the image, or None."""
    size, position, frame, scan = len(data), 2, False, False
    for _count in range(IMAGE_MAX_PARTS):
        fill = _JPEG_FILL.match(data, position)
        # A marker is 0xFF, possibly repeated: a few times in real files,
        # not thousands (Pillow would skip them one by one).
        if fill is None or fill.end() - position > 64:
            return None
        position = fill.end()
        if position >= size:
            return None
        marker = data[position]
        position += 1
        if marker == 0xD9:  # end of image
            return position if frame and scan else None
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            continue
        if marker in (0x00, 0xD8) or position + 2 > size:
            return None
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2:
            return None
        position += length
        if position > size:
            return None
        if marker in _JPEG_FRAMES:
            frame = True
        if marker == 0xDA:  # start of scan: skip the entropy-coded data
            if not frame:
                return None
            scan = True
            match = _JPEG_MARKER.search(data, position)
            if match is None:
                return None
            position = match.start()
    return None


# ---------------------------------------------------------------------------
# ZIP: DOCX and ODT
# ---------------------------------------------------------------------------

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN = b"wordprocessingml.document.main+xml"
_NESTED_ARCHIVES = (
    ".zip",
    ".docx",
    ".docm",
    ".dotm",
    ".xlsm",
    ".xlsb",
    ".pptm",
    ".odt",
    ".ods",
    ".odp",
    ".odg",
    ".jar",
    ".war",
    ".apk",
    ".7z",
    ".rar",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".tar",
    ".cab",
    ".iso",
    ".img",
    ".vhd",
)
_EMBEDDED_OOXML = (".xlsx", ".pptx")
_EXECUTABLE_NAMES = (
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".pif",
    ".cpl",
    ".msi",
    ".msp",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".wsf",
    ".wsh",
    ".hta",
    ".lnk",
    ".sh",
    ".elf",
    ".so",
    ".dylib",
    ".app",
)
_MACRO_NAMES = ("vbaproject.bin", "vbadata.xml")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_READ_CHUNK = 1024 * 1024
# What zipfile raises on a malformed archive (NotImplementedError: unknown
# "version needed" or feature flags).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
)


class _Budget:
    """Uncompressed bytes still allowed, shared with the embedded documents."""

    def __init__(self, remaining: int):
        self.remaining = remaining


def _check_zip(data: bytes, name: str) -> str:
    kind = _inspect_zip(data, name, depth=0, budget=_Budget(ZIP_MAX_UNCOMPRESSED))
    _check_polyglot(data, name, "zip")
    return kind


def _inspect_zip(data: bytes, name: str, *, depth: int, budget: _Budget) -> str:
    """Check a DOCX, an ODT or (depth 1) an OOXML document embedded in a DOCX."""
    corrupt = _refuse("corrupt", name=name, content=_CONTENT_LABELS["zip"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as error:
        raise corrupt from error
    with archive:
        infos = archive.infolist()
        _check_entries(data, archive, infos, name, budget, corrupt)
        kind = _classify(archive, infos, name, depth, corrupt)
        _check_document(archive, infos, name, kind, depth, corrupt)
        _read_entries(archive, infos, name, kind, depth, budget, corrupt)
    return kind


def _check_entries(data, archive, infos, name, budget, corrupt) -> None:
    if not infos:
        raise _refuse("unsupported_archive", name=name)
    if len(infos) > ZIP_MAX_ENTRIES:
        raise _refuse("zip_too_many_entries", name=name, limit=ZIP_MAX_ENTRIES)
    seen = set()
    total = 0
    for info in infos:
        if info.flag_bits & 0x41:  # traditional or strong encryption
            raise _refuse("encrypted", name=name)
        entry = info.filename
        parts = _SEPARATORS.split(entry)
        if (
            entry.startswith(("/", "\\"))
            or _WINDOWS_DRIVE.match(entry)
            or ".." in parts
            or ((info.external_attr >> 16) & 0o170000) == 0o120000  # symlink
        ):
            raise _refuse("zip_unsafe_path", name=name)
        key = entry.lower()
        if key in seen:
            raise corrupt  # two entries of the same name: readers disagree
        seen.add(key)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise corrupt
        total += info.file_size
        if (
            info.file_size >= ZIP_RATIO_MIN_SIZE
            and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)
        ):
            raise _zip_bomb(name)
    if total > budget.remaining or (
        total >= ZIP_RATIO_MIN_SIZE and total > ZIP_MAX_RATIO * len(data)
    ):
        raise _zip_bomb(name)
    budget.remaining -= total
    if not _zip_layout_is_contiguous(data, archive, infos):
        raise _refuse("hidden_data", name=name)


def _zip_bomb(name: str) -> ValidationError:
    return _refuse(
        "zip_bomb",
        name=name,
        limit=number_format(ZIP_MAX_UNCOMPRESSED // MEBIBYTE),
        ratio=ZIP_MAX_RATIO,
    )


def _zip_layout_is_contiguous(data: bytes, archive, infos) -> bool:
    """True when the entries, the central directory and the end record follow
    each other from the first byte to the last, leaving no hidden data."""
    position = 0
    for info in sorted(infos, key=lambda info: info.header_offset):
        if info.header_offset != position:
            return False
        header = data[position : position + 30]
        if len(header) < 30 or not header.startswith(_ZIP_SIGNATURE):
            return False
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        position += 30 + name_length + extra_length + info.compress_size
        if info.flag_bits & 0x08:  # data descriptor, with or without signature
            signed = data[position : position + 4] == b"PK\x07\x08"
            for length in (16, 24) if signed else (12, 20):
                following = data[position + length : position + length + 4]
                if following in (_ZIP_SIGNATURE, b"PK\x01\x02"):
                    position += length
                    break
            else:
                return False
    start_dir = getattr(archive, "start_dir", position)
    if start_dir != position:
        return False
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0 or len(data) < eocd + 22:
        return False
    directory_size, _offset, comment_length = struct.unpack(
        "<IIH", data[eocd + 12 : eocd + 22]
    )
    if eocd + 22 + comment_length != len(data):
        return False
    directory_end = start_dir + directory_size
    return (
        directory_size == 0xFFFFFFFF
        or directory_end == eocd
        or (data[directory_end : directory_end + 4] == b"PK\x06\x06")
    )


def _read_part(archive, info, limit: int, corrupt) -> bytes:
    if info.file_size > limit:
        raise corrupt
    try:
        with archive.open(info) as part:
            return part.read(limit + 1)
    except _ZIP_ERRORS as error:
        raise corrupt from error


def _classify(archive, infos, name, depth, corrupt) -> str:
    by_name = {info.filename.lower(): info for info in infos}
    if depth:
        if "[content_types].xml" not in by_name:
            raise _refuse("zip_nested_archive", name=name)
        return "ooxml"
    first = min(infos, key=lambda info: info.header_offset)
    if first.filename == "mimetype":
        mimetype = _read_part(archive, first, 256, corrupt)
        if mimetype != _ODT_MIMETYPE:
            raise _refuse("unsupported_archive", name=name)
        if first.compress_type != zipfile.ZIP_STORED:
            raise _refuse("corrupt", name=name, content=_CONTENT_LABELS["odt"])
        return "odt"
    if "[content_types].xml" in by_name and "word/document.xml" in by_name:
        return "docx"
    raise _refuse("unsupported_archive", name=name)


def _check_document(archive, infos, name, kind, depth, corrupt) -> None:
    by_name = {info.filename.lower(): info for info in infos}
    for info in infos:
        entry = info.filename.lower()
        base = _SEPARATORS.split(entry)[-1]
        if base in _MACRO_NAMES or "/activex/" in f"/{entry}":
            raise _refuse("macro", name=name)
        if kind == "odt" and entry.startswith(("basic/", "scripts/")):
            raise _refuse("macro", name=name)
        if entry.endswith(_EXECUTABLE_NAMES):
            raise _refuse("zip_executable", name=name)
        if entry.endswith(_NESTED_ARCHIVES) or (
            entry.endswith(_EMBEDDED_OOXML)
            and not (kind == "docx" and entry.startswith("word/embeddings/"))
        ):
            raise _refuse("zip_nested_archive", name=name)

    if kind in ("docx", "ooxml"):
        types = _read_part(
            archive, by_name["[content_types].xml"], ZIP_MAX_PART, corrupt
        ).lower()
        if b"macroenabled" in types:
            raise _refuse("macro", name=name)
        if kind == "docx":
            if _DOCX_MAIN not in types:
                if b"wordprocessingml.template.main+xml" in types:
                    raise _refuse("unsupported_archive", name=name)
                raise _refuse("corrupt", name=name, content=_CONTENT_LABELS["docx"])
            document = by_name["word/document.xml"]
            try:
                with archive.open(document) as part:
                    start = part.read(64 * 1024)
            except _ZIP_ERRORS as error:
                raise corrupt from error
            if b"wordprocessingml" not in start:
                raise _refuse("corrupt", name=name, content=_CONTENT_LABELS["docx"])
    elif kind == "odt":
        if "content.xml" not in by_name or "meta-inf/manifest.xml" not in by_name:
            raise _refuse("corrupt", name=name, content=_CONTENT_LABELS["odt"])
        manifest = _read_part(
            archive, by_name["meta-inf/manifest.xml"], ZIP_MAX_PART, corrupt
        )
        if b"encryption-data" in manifest:
            raise _refuse("encrypted", name=name)


def _read_entries(archive, infos, name, kind, depth, budget, corrupt) -> None:
    """Inflate every entry (bounded by the sizes already checked): verifies the
    checksums, looks for programs and inspects the embedded documents."""
    marker = _EXECUTABLE_MARKERS[0]
    for info in infos:
        if info.is_dir():
            continue
        embedded = (
            kind == "docx"
            and depth == 0
            and info.filename.lower().startswith("word/embeddings/")
        )
        kept, previous, first = [], b"", True
        try:
            with archive.open(info) as part:
                while chunk := part.read(_READ_CHUNK):
                    if first:
                        first = False
                        if _looks_like_program(chunk):
                            raise _refuse("zip_executable", name=name)
                        if chunk.startswith(_ZIP_SIGNATURE) and not embedded:
                            raise _refuse("zip_nested_archive", name=name)
                        embedded = embedded and chunk.startswith(_ZIP_SIGNATURE)
                    if marker in previous[-len(marker) :] + chunk:
                        raise _refuse("zip_executable", name=name)
                    previous = chunk
                    if embedded:
                        kept.append(chunk)
        except ValidationError:
            raise
        except _ZIP_ERRORS as error:
            raise corrupt from error
        if embedded and kept:
            _inspect_zip(b"".join(kept), name, depth=1, budget=budget)


def _looks_like_program(start: bytes) -> bool:
    """True when an entry of a document starts like an executable."""
    if start.startswith(b"MZ"):
        # Two letters can start an obfuscated font by chance: require the PE
        # header the DOS header points to, or the DOS stub's message.
        if len(start) >= 64:
            (offset,) = struct.unpack_from("<I", start, 0x3C)
            if start[offset : offset + 4] == b"PE\x00\x00":
                return True
        return _EXECUTABLE_MARKERS[0] in start
    # The other signatures, less the shebang (a text part may start with "#!").
    return start.startswith(_EXECUTABLE_SIGNATURES[1:-1])
