"""PDF rendering with WeasyPrint, reading nothing but the project's own
static files: user text can never make the renderer fetch a local file or a
network address."""

import mimetypes
import os
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_BASE = "https://documents.frenchimpact.invalid"


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
        """Answers from the static files only; no protocol handler is used."""

        def fetch(self, url, headers=None):
            path = static_path(url)
            with open(path, "rb") as handle:
                body = handle.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return ProjectStaticFetcher()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    return HTML(
        string=html, base_url=STATIC_BASE + "/", url_fetcher=_fetcher()
    ).write_pdf()
