"""PDF rendering with WeasyPrint, reading nothing but the project's own
static files: user text can never make the renderer fetch a local file or a
network address."""

from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_BASE = "https://documents.frenchimpact.invalid"


class RefusedResource(ValueError):
    pass


def url_fetcher(url: str, timeout=10, ssl_context=None):
    """Serve ``{STATIC_BASE}/static/...`` from the static files; refuse the rest."""
    parsed = urlparse(url)
    base = urlparse(STATIC_BASE)
    if (parsed.scheme, parsed.netloc) != (base.scheme, base.netloc):
        raise RefusedResource(f"refused resource: {url[:80]}")
    if not parsed.path.startswith(settings.STATIC_URL) or ".." in parsed.path:
        raise RefusedResource(f"refused resource: {url[:80]}")
    path = finders.find(parsed.path.removeprefix(settings.STATIC_URL))
    if not path:
        raise RefusedResource(f"missing static file: {parsed.path[:80]}")
    with open(path, "rb") as handle:
        return {"string": handle.read(), "redirected_url": url}


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    return HTML(
        string=html, base_url=STATIC_BASE + "/", url_fetcher=url_fetcher
    ).write_pdf()
