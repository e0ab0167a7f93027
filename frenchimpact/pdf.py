"""PDF rendering with WeasyPrint, reading nothing but the project's own
static files: user text can never make the renderer fetch a local file or a
network address.

A document is its HTML (a template, which carries no style of its own) and
its stylesheets (static files under ``documents/``). Each rendering thread
keeps one WeasyPrint font configuration and the stylesheets it has parsed
with it: the Marianne faces are decoded and the CSS is parsed once per
worker process, not once per document (together about a third of a
certificate's rendering time). A stylesheet changed on disk is parsed again.

The cyclic garbage collector pauses while a document is laid out: WeasyPrint
builds a tree of boxes out of many small objects, and the collector, woken
every few hundred allocations, kept scanning them and the whole Django heap
(a fifth of a 200-row wave report's time). What a render leaves in cycles is
collected by the next collection after it."""

import atexit
import base64
import binascii
import contextlib
import gc
import mimetypes
import os
import threading
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_BASE = "https://documents.frenchimpact.invalid"
# the only inline data a template may hand the renderer: a PNG made by the
# project (the QR code of a certificate); nothing is fetched for it
PNG_DATA_PREFIX = "data:image/png;base64,"
PNG_DATA_MAX_BYTES = 64 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOCUMENT_STYLESHEET = "documents/document.css"


class RefusedResource(ValueError):
    pass


def static_path(url: str) -> str:
    """The file behind ``{STATIC_BASE}/static/...``; any other URL is refused."""
    parsed = urlparse(url)
    base = urlparse(STATIC_BASE)
    if (parsed.scheme, parsed.netloc) != (base.scheme, base.netloc):
        raise RefusedResource(f"refused resource: {url[:80]}")
    if not parsed.path.startswith(settings.STATIC_URL) or ".." in parsed.path:
        raise RefusedResource(f"refused resource: {url[:80]}")
    name = parsed.path.removeprefix(settings.STATIC_URL)
    path = finders.find(name) or _collected(name)
    if not path:
        raise RefusedResource(f"missing static file: {parsed.path[:80]}")
    return path


def inline_png(url: str) -> bytes:
    """The bytes of a ``data:image/png;base64,`` URL, if they are a PNG of
    reasonable size; anything else is refused."""
    if not url.startswith(PNG_DATA_PREFIX):
        raise RefusedResource(f"refused resource: {url[:80]}")
    encoded = url.removeprefix(PNG_DATA_PREFIX)
    if len(encoded) > PNG_DATA_MAX_BYTES * 4 // 3 + 4:
        raise RefusedResource("inline image too large")
    try:
        body = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise RefusedResource("inline image badly encoded") from error
    if not body.startswith(PNG_SIGNATURE):
        raise RefusedResource("inline image is not a PNG")
    return body


def png_data_url(png: bytes) -> str:
    """The URL under which a template hands a PNG of the project's to the
    renderer (see ``inline_png``)."""
    return PNG_DATA_PREFIX + base64.b64encode(png).decode("ascii")


def _collected(name: str) -> str | None:
    """A file of STATIC_ROOT, where a fingerprinted name (manifest storage)
    is found after collectstatic."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        path = staticfiles_storage.path(name)
    except NotImplementedError:  # a remote storage: not for the renderer
        return None
    return path if os.path.isfile(path) else None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectStaticFetcher(URLFetcher):
        """Answers from the static files, and from the project's inline PNG
        images; no protocol handler is used."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                body = inline_png(url)
                return URLFetcherResponse(
                    url, body=body, headers={"Content-Type": "image/png"}
                )
            path = static_path(url)
            with open(path, "rb") as handle:
                body = handle.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return ProjectStaticFetcher()


class _Resources(threading.local):
    """What one rendering thread keeps between documents: Pango's font map
    is not shared between threads."""

    def __init__(self):
        self.font_config = None
        self.fetcher = None
        self.stylesheets = {}  # name -> (path, mtime, parsed CSS)


_resources = _Resources()


def forget_resources() -> None:
    """Drop this thread's font configuration and parsed stylesheets."""
    _resources.__init__()


# while the interpreter is still whole: WeasyPrint's font configuration
# removes its temporary folder when it is collected
atexit.register(forget_resources)


def _thread_resources():
    if _resources.font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _resources.font_config = FontConfiguration()
        _resources.fetcher = _fetcher()
    return _resources


def stylesheet(name: str):
    """The parsed static stylesheet ``name``, parsed again only when the file
    changes."""
    from weasyprint import CSS

    resources = _thread_resources()
    url = f"{STATIC_BASE}{settings.STATIC_URL}{name}"
    path = static_path(url)
    mtime = os.stat(path).st_mtime_ns
    cached = resources.stylesheets.get(name)
    if cached and cached[:2] == (path, mtime):
        return cached[2]
    parsed = CSS(
        filename=path,
        base_url=url,
        url_fetcher=resources.fetcher,
        font_config=resources.font_config,
    )
    resources.stylesheets[name] = (path, mtime, parsed)
    return parsed


@contextlib.contextmanager
def _collector_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_pdf(html: str, *, stylesheets: tuple[str, ...] = (DOCUMENT_STYLESHEET,)):
    """The PDF of ``html`` styled by the static ``stylesheets``."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    resources = _thread_resources()
    with _collector_paused():
        return HTML(
            string=html, base_url=STATIC_BASE + "/", url_fetcher=resources.fetcher
        ).write_pdf(
            stylesheets=[stylesheet(name) for name in stylesheets],
            font_config=resources.font_config,
        )
