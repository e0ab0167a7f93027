"""Cache of the public pages served to anonymous visitors.

A public page (home, directory, territory, label verification, challenges,
the public API...) is the same for every anonymous visitor: it is rendered
once, kept in the Django cache (Redis in production) with its gzip and Brotli
encodings, and served from there until the public data change.

- The key holds the language, the full address (scheme, host, path and
  query string) and the encoding; the entry holds the *public data version*
  it was rendered at, and counts only while it is the current one (both are
  read in one round trip). The version is a counter in the cache, bumped
  by the signals below whenever a territory, a label, a certificate, a
  wave, a challenge, a project, an objective, a progress report... is
  saved or deleted: at once and again after the commit (a page
  rendered between the two would otherwise keep the old data). Every entry
  also expires after ``PUBLIC_CACHE_SECONDS``: a bulk update sends no signal.
- Only anonymous GET and HEAD requests without messages use it: a request
  carrying a session cookie (a logged-in user) or a messages cookie always
  gets a fresh page, and is never stored.
- A response is stored only if it is a 200 that sets no cookie, used no CSRF
  token, no CSP nonce, queued no message and did not touch the session.
- Responses carry a weak ``ETag`` and ``Last-Modified``: a browser's
  conditional request gets a 304 without a body.

``PUBLIC_CACHE_SECONDS = 0`` (the development default) turns all of it off.
"""

import functools
import gzip
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import get_language_from_path

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a dependency of whitenoise's
    brotli = None

VERSION_KEY = "public-page:version"
KEY_PREFIX = "public-page:2"  # the entries' format
# models whose rows appear on public pages, by app label and model name
WATCHED = {
    "territories": {
        "region",
        "department",
        "organisation",
        "territory",
        "priorityarea",
        "label",
        "certificate",
    },
    "applications": {"call", "wave", "criterion"},
    "challenges": {"indicator", "challenge", "project", "objective", "progressreport"},
}
COMPRESSIBLE = re.compile(r"^(text/|application/(json|xml|atom)|image/svg)")
ACCEPTS_BROTLI = re.compile(r"\bbr\b")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def enabled() -> bool:
    return settings.PUBLIC_CACHE_SECONDS > 0


def data_version() -> int:
    """The current public data version (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # a clock value, so that a version lost with the cache never comes back
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return version


def bump_data_version() -> None:
    """Forget every cached public page (the entries expire on their own)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or lost with the cache
        cache.set(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def public_data_changed() -> None:
    """Bump the version now and once more after the commit."""
    if not enabled():
        return
    bump_data_version()
    transaction.on_commit(bump_data_version)


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return meta is not None and meta.model_name in WATCHED.get(meta.app_label, ())


def _on_change(sender, raw=False, **kwargs):
    if not raw and _watched(sender):
        public_data_changed()


def _on_m2m_change(sender, action, model=None, **kwargs):
    # the through model is automatic: watch the relation by its two ends
    if action.startswith("post_") and (
        _watched(kwargs["instance"].__class__) or _watched(model)
    ):
        public_data_changed()


def connect_signals() -> None:
    post_save.connect(_on_change, dispatch_uid="public_cache.save")
    post_delete.connect(_on_change, dispatch_uid="public_cache.delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="public_cache.m2m")


def _anonymous_without_messages(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


def _encoding(request) -> str:
    """The encoding to send: Brotli, else gzip, else none."""
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if ACCEPTS_BROTLI.search(accepted):
        return "br"
    if ACCEPTS_GZIP.search(accepted):
        return "gzip"
    return "identity"


def cache_key(request, encoding: str) -> str:
    """The key of one encoding of the page at this address, in this language.

    The data version is stored in the entry rather than in its key: one
    round trip to the cache (``get_many``) reads both the current version
    and the entry, and an entry of an older version counts as absent."""
    address = request.build_absolute_uri()
    digest = hashlib.sha256(address.encode()).hexdigest()
    # the language of the address, as LocaleMiddleware (which runs later)
    # will find it: the prefix, or the default language without one
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    return f"{KEY_PREFIX}:{language}:{digest}:{encoding}"


def _storable(request, response) -> bool:
    """A 200 that nothing personal went into."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Content-Encoding"):
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
        "Cache-Control", ""
    ):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a CSRF token went into the page
    if getattr(request, "_csp_nonce", None) is not None:
        return False  # a per-request nonce went into the page
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "_queued_messages", None):
        return False
    session = getattr(request, "session", None)
    return session is None or not session.modified


def _entries(response, version: int, gate: str) -> dict[str, dict]:
    """One entry per encoding (the same when the page is not compressed)."""
    body = response.content
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower()
        not in {"content-length", "vary", "etag", "last-modified", "set-cookie"}
    ]
    common = {
        "version": version,
        "gate": gate,
        "headers": headers,
        "vary": response.get("Vary", ""),
        "etag": f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
        "created": int(time.time()),
    }
    identity = {**common, "encoding": "identity", "body": body}
    entries = {"identity": identity, "gzip": identity, "br": identity}
    if len(body) > 256 and COMPRESSIBLE.match(response.get("Content-Type", "")):
        entries["gzip"] = {
            **common,
            "encoding": "gzip",
            "body": gzip.compress(body, compresslevel=9, mtime=0),
        }
        if brotli is not None:
            entries["br"] = {
                **common,
                "encoding": "br",
                "body": brotli.compress(body, quality=11),
            }
        else:  # pragma: no cover
            entries["br"] = entries["gzip"]
    return entries


def _respond(request, entry) -> HttpResponse:
    response = HttpResponse(entry["body"])
    for name, value in entry["headers"]:
        response[name] = value
    if entry["encoding"] != "identity":
        response["Content-Encoding"] = entry["encoding"]
    response["Content-Length"] = str(len(entry["body"]))
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["created"])
    if not response.has_header("Cache-Control"):
        # browsers keep the page but ask whether it changed (a 304 is tiny);
        # a view may say otherwise (the base map: public, for a day)
        response["Cache-Control"] = "no-cache"
    if entry["vary"]:
        response["Vary"] = entry["vary"]
    # a shared cache must not give an anonymous page to someone logged in
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    return get_conditional_response(
        request,
        etag=entry["etag"],
        last_modified=entry["created"],
        response=response,
    )


def public_page(view=None, *, gate: str = ""):
    """Mark ``view``'s anonymous answers as public pages: the middleware
    below keeps them and serves them again. ``gate`` is the dotted path of a
    ``function(request) -> bool`` asked before each answer from the cache
    (a rate limit): when it says no, the request goes to the view."""
    if view is None:
        return functools.partial(public_page, gate=gate)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if enabled() and _anonymous_without_messages(request):
            render = getattr(response, "render", None)
            if callable(render) and not response.is_rendered:
                response.render()  # a TemplateResponse or a DRF Response
            response.public_page = _storable(request, response)
            response.public_page_gate = gate
        return response

    return wrapper


class PublicPageCacheMiddleware:
    """Serve the public pages from the cache, before the other middleware
    (sessions, authentication, CSRF, second factor...), right after
    whitenoise: a hit costs one round trip to the cache.

    A page is stored on its way out, with the headers the other middleware
    gave it, only if its view is marked with ``public_page`` and found
    nothing personal in it (see ``_storable``), and if no cookie was set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not _anonymous_without_messages(request):
            return self.get_response(request)
        encoding = _encoding(request)
        key = cache_key(request, encoding)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = data_version()
        entry = found.get(key)
        if entry is not None and entry["version"] == version:
            if not entry.get("gate") or import_string(entry["gate"])(request):
                return _respond(request, entry)
            return self.get_response(request)  # refused: the view answers
        response = self.get_response(request)
        if (
            getattr(response, "public_page", False)
            and not response.cookies
            and not response.has_header("Set-Cookie")
            and getattr(request, "_csp_nonce", None) is None
        ):
            entries = _entries(response, version, response.public_page_gate)
            cache.set_many(
                {cache_key(request, name): e for name, e in entries.items()},
                settings.PUBLIC_CACHE_SECONDS,
            )
            return _respond(request, entries[encoding])
        return response
