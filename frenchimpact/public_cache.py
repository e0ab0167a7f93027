"""Cache of the public pages served to anonymous visitors.

A public page (home, directory, territory, label verification, challenges,
the public API...) is the same for every anonymous visitor: it is rendered
once, kept in the Django cache (Redis in production) with its gzip and Brotli
encodings, and served from there until the public data change.

- The key holds the language, the full address (scheme, host, path and
  query string) and the encoding; the entry holds the *data versions* it was
  rendered at, and counts only while they are the current ones. A version
  is a counter in the cache, one per family of public data
  (``frenchimpact.public_data``: the programme's data, and the
  certificates), bumped whenever a row of that family is saved or deleted:
  at once and again after the commit (a page rendered between the two
  would otherwise keep the old data). A page reads the ``public`` family,
  and the families it names (the verification page: the certificates).
  Every entry also expires after ``PUBLIC_CACHE_SECONDS``: a bulk update
  sends no signal.
- Each process also keeps the entries it served lately in its own memory
  (``PUBLIC_CACHE_LOCAL_BYTES``, least recently used first out): a hit then
  reads only the small version counters from the shared cache, not the
  page, so that a page costs about what a static file costs.
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
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import get_language_from_path

from .public_data import FAMILIES, PUBLIC, public_data_changed

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a dependency of whitenoise's
    brotli = None

VERSION_KEYS = {family: f"public-page:version:{family}" for family in FAMILIES}
KEY_PREFIX = "public-page:3"  # the entries' format
COMPRESSIBLE = re.compile(r"^(text/|application/(json|xml|atom)|image/svg)")
ACCEPTS_BROTLI = re.compile(r"\bbr\b")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def enabled() -> bool:
    return settings.PUBLIC_CACHE_SECONDS > 0


def data_versions() -> dict[str, int]:
    """The current version of each family of public data (created on first
    use: a clock value, so that a version lost with the cache never comes
    back)."""
    found = cache.get_many(list(VERSION_KEYS.values()))
    versions = {}
    for family, key in VERSION_KEYS.items():
        if key not in found:
            cache.add(key, time.time_ns() // 1000, timeout=None)
            found[key] = cache.get(key, 0)
        versions[family] = found[key]
    return versions


def bump_data_version(family: str = PUBLIC) -> None:
    """Forget every cached public page that reads ``family`` (the entries
    expire on their own)."""
    key = VERSION_KEYS[family]
    try:
        cache.incr(key)
    except ValueError:  # no version yet, or lost with the cache
        cache.set(key, time.time_ns() // 1000, timeout=None)


def _on_public_data_changed(sender, family, **kwargs):
    """Bump the family's version now and once more after the commit."""
    if not enabled():
        return
    bump_data_version(family)
    transaction.on_commit(functools.partial(bump_data_version, family))


def connect_signals() -> None:
    public_data_changed.connect(_on_public_data_changed, dispatch_uid="public_cache")


class LocalEntries:
    """The entries this process served lately, bodies included, within a
    budget of bytes; the least recently used go first. Whether an entry is
    still current is decided by the caller, from the shared versions."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, dict] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    @staticmethod
    def _cost(entry: dict) -> int:
        return len(entry["body"]) + 512  # the headers and the bookkeeping

    def put(self, key: str, entry: dict) -> None:
        size = self._cost(entry)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= self._cost(old)
            self._entries[key] = entry
            self._size += size
            while self._size > self.max_bytes:
                _key, dropped = self._entries.popitem(last=False)
                self._size -= self._cost(dropped)

    def __len__(self) -> int:
        return len(self._entries)


local_entries = LocalEntries(settings.PUBLIC_CACHE_LOCAL_BYTES)


def _current(entry, versions: dict[str, int]) -> bool:
    return entry["expires"] > time.time() and all(
        versions.get(family) == version for family, version in entry["versions"].items()
    )


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

    The data versions are stored in the entry rather than in its key: one
    round trip to the cache (``get_many``) reads both the current versions
    and the entry (or the versions alone, when this process holds the entry),
    and an entry of older versions counts as absent."""
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


def _entries(response, versions: dict[str, int], gate: str) -> dict[str, dict]:
    """One entry per encoding (the same when the page is not compressed)."""
    body = response.content
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower()
        not in {"content-length", "vary", "etag", "last-modified", "set-cookie"}
    ]
    now = int(time.time())
    common = {
        "versions": versions,
        "expires": now + settings.PUBLIC_CACHE_SECONDS,
        "gate": gate,
        "headers": headers,
        "vary": response.get("Vary", ""),
        "etag": f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
        "created": now,
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


def public_page(view=None, *, gate: str = "", reads: tuple[str, ...] = ()):
    """Mark ``view``'s anonymous answers as public pages: the middleware
    below keeps them and serves them again until the public data change
    (and the families in ``reads`` too, see ``frenchimpact.public_data``).
    ``gate`` is the dotted path of a ``function(request) -> bool`` asked
    before each answer from the cache (a rate limit): when it says no, the
    request goes to the view."""
    if view is None:
        return functools.partial(public_page, gate=gate, reads=reads)
    unknown = set(reads) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown public data families: {sorted(unknown)}")
    families = (PUBLIC, *(family for family in reads if family != PUBLIC))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if enabled() and _anonymous_without_messages(request):
            render = getattr(response, "render", None)
            if callable(render) and not response.is_rendered:
                response.render()  # a TemplateResponse or a DRF Response
            response.public_page = _storable(request, response)
            response.public_page_gate = gate
            response.public_page_reads = families
        return response

    return wrapper


def _lookup(key: str) -> tuple[dict | None, dict[str, int]]:
    """The current entry of ``key`` (or None) and the current versions, in
    one round trip to the shared cache when this process holds the entry or
    has never seen it."""
    version_keys = list(VERSION_KEYS.values())
    held = local_entries.get(key)
    found = cache.get_many(version_keys if held else [*version_keys, key])
    if all(k in found for k in version_keys):
        versions = {family: found[k] for family, k in VERSION_KEYS.items()}
    else:
        versions = data_versions()
    if held is not None and _current(held, versions):
        return held, versions
    # held but outdated: another process may have rendered the page since
    entry = cache.get(key) if held is not None else found.get(key)
    if entry is None or not _current(entry, versions):
        return None, versions
    local_entries.put(key, entry)
    return entry, versions


class PublicPageCacheMiddleware:
    """Serve the public pages from the cache, before the other middleware
    (sessions, authentication, CSRF, second factor...), right after
    whitenoise: a hit costs one round trip to the cache, for the versions
    alone when this process still holds the page.

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
        entry, versions = _lookup(key)
        if entry is not None:
            if not entry["gate"] or import_string(entry["gate"])(request):
                return _respond(request, entry)
            return self.get_response(request)  # refused: the view answers
        response = self.get_response(request)
        if (
            getattr(response, "public_page", False)
            and not response.cookies
            and not response.has_header("Set-Cookie")
            and getattr(request, "_csp_nonce", None) is None
        ):
            entries = _entries(
                response,
                {family: versions[family] for family in response.public_page_reads},
                response.public_page_gate,
            )
            cache.set_many(
                {cache_key(request, name): e for name, e in entries.items()},
                settings.PUBLIC_CACHE_SECONDS,
            )
            local_entries.put(key, entries[encoding])
            return _respond(request, entries[encoding])
        return response
