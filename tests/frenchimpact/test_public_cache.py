"""The public page cache (frenchimpact/public_cache.py): anonymous pages come
from the cache, change when the public data change, and nothing personal is
ever stored or served from it."""

import datetime as dt
import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.models import ProgressReport
from territories.enums import LabelStatus
from tests.factories import (
    ChallengeFactory,
    ObjectiveFactory,
    UserFactory,
    WaveFactory,
    labelled_territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 600


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def _public_urls():
    territory = labelled_territory(name="Pays Test", departments=["39"])
    label = territory.labels.get()
    objective = ObjectiveFactory(project__challenge__territory=territory)
    challenge = objective.project.challenge
    return territory, {
        "home": "/",
        "directory": "/territoires/",
        "search": "/territoires/?q=pays&region=27",
        "territory": territory.get_absolute_url(),
        "verification": f"/labels/verifier/{label.verification_code}/",
        "challenges": "/defis/",
        "challenge": f"/defis/{challenge.pk}/",
        "project": f"/defis/projets/{objective.project.pk}/",
        "call": "/appel/",
        "programme": "/programme/",
        "api": "/api/v1/territories/",
    }


def test_second_anonymous_request_comes_from_the_cache(client):
    _, urls = _public_urls()
    for name, url in urls.items():
        first, first_queries = _get(client, url)
        second, second_queries = _get(client, url)

        assert first.status_code == second.status_code == 200, name
        assert first_queries > 0 or name == "programme", name  # a static text
        assert second_queries == 0, name
        assert "ETag" in second.headers and "ETag" in first.headers, name
        assert second.content == first.content, name
        assert "Set-Cookie" not in second.headers, name
        assert not second.cookies, name


def test_cached_pages_hold_no_csrf_token_nor_nonce(client):
    _, urls = _public_urls()
    for url in urls.values():
        client.get(url)
        body = client.get(url).content.decode()

        assert "csrfmiddlewaretoken" not in body
        assert "nonce" not in body


def test_a_territory_change_shows_at_once(client):
    territory, urls = _public_urls()
    assert "Pays Test" in client.get(urls["directory"]).content.decode()

    territory.name = "Pays Renommé"
    territory.save()

    body = client.get(urls["directory"]).content.decode()
    assert "Pays Renommé" in body and "Pays Test" not in body
    assert "Pays Renommé" in client.get(urls["territory"]).content.decode()


def test_a_label_change_shows_on_the_verification_page(client):
    territory, urls = _public_urls()
    assert "Suspendu" not in client.get(urls["verification"]).content.decode()

    label = territory.labels.get()
    label.status = LabelStatus.SUSPENDED
    label.save()

    assert "Suspendu" in client.get(urls["verification"]).content.decode()


def test_a_challenge_change_shows_at_once(client):
    territory, urls = _public_urls()
    client.get(urls["challenge"])
    challenge = territory.challenges.get()

    challenge.title = "Un défi retitré"
    challenge.save()

    assert "Un défi retitré" in client.get(urls["challenge"]).content.decode()
    assert "Un défi retitré" in client.get(urls["territory"]).content.decode()


def test_a_new_progress_report_shows_at_once(client):
    territory, urls = _public_urls()
    objective = territory.challenges.get().projects.get().objectives.get()
    before = client.get(urls["project"]).content.decode()

    ProgressReport.objects.create(
        objective=objective,
        reported_on=dt.date(2020, 6, 1),
        value=17,
        created_by=UserFactory(),
    )

    after = client.get(urls["project"]).content.decode()
    assert after != before
    assert "1 juin 2020" in after or "01/06/2020" in after


def test_a_new_label_shows_in_the_api_list(client):
    _, urls = _public_urls()
    assert client.get(urls["api"]).json()["count"] == 1

    labelled_territory(wave=WaveFactory())

    assert client.get(urls["api"]).json()["count"] == 2


def test_logged_in_users_always_get_a_fresh_page(client):
    _, urls = _public_urls()
    client.get(urls["home"])  # cached for the anonymous
    client.force_login(UserFactory())

    _response, queries = _get(client, urls["home"])
    again, again_queries = _get(client, urls["home"])

    assert queries > 0 and again_queries > 0
    assert "Se déconnecter" in again.content.decode()
    assert "ETag" not in again.headers
    client.logout()
    anonymous = client.get(urls["home"]).content.decode()
    assert "Se déconnecter" not in anonymous


def test_a_logged_in_page_is_not_stored_for_the_anonymous(client):
    _, urls = _public_urls()
    client.force_login(UserFactory())
    client.get(urls["directory"])
    client.logout()

    body = client.get(urls["directory"]).content.decode()
    assert "Se déconnecter" not in body
    assert "csrfmiddlewaretoken" not in body


def test_a_request_with_messages_is_not_served_from_the_cache(client):
    _, urls = _public_urls()
    client.get(urls["home"])
    client.cookies["messages"] = "anything"

    _, queries = _get(client, urls["home"])

    assert queries > 0


def test_each_language_has_its_own_page(client):
    _public_urls()
    french = client.get("/territoires/")
    english = client.get("/en/territoires/")
    english_again, queries = _get(client, "/en/territoires/")

    assert french.content != english.content
    assert '<html lang="en"' in english_again.content.decode()
    assert '<html lang="fr"' in client.get("/territoires/").content.decode()
    assert queries == 0


def test_query_strings_are_told_apart(client):
    _public_urls()
    labelled_territory(name="Pays Zanzibarien", departments=["75"])

    everything = client.get("/territoires/").content.decode()
    searched = client.get("/territoires/?q=zanzibarien").content.decode()

    assert "Pays Test" in everything and "Pays Zanzibarien" in everything
    assert "Pays Test" not in searched and "Pays Zanzibarien" in searched


def test_etag_and_last_modified_give_a_304(client):
    _, urls = _public_urls()
    first = client.get(urls["territory"])
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    by_etag, queries = _get(client, urls["territory"], if_none_match=etag)
    by_date = client.get(urls["territory"], headers={"if_modified_since": modified})

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == by_date.content == b""
    assert queries == 0
    assert "no-cache" in first.headers["Cache-Control"]
    assert "Cookie" in first.headers["Vary"]


def test_etag_changes_with_the_data(client):
    territory, urls = _public_urls()
    etag = client.get(urls["territory"]).headers["ETag"]
    territory.summary = "Un nouveau résumé du territoire."
    territory.save()

    response = client.get(urls["territory"], headers={"if_none_match": etag})

    assert response.status_code == 200
    assert "Un nouveau résumé du territoire." in response.content.decode()
    assert response.headers["ETag"] != etag


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compressed_once_and_served_compressed(client, encoding):
    _, urls = _public_urls()
    plain = client.get(urls["directory"]).content

    response = client.get(urls["directory"], headers={"accept_encoding": encoding})

    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.content
    if encoding == "gzip":
        assert gzip.decompress(body) == plain
    else:
        import brotli

        assert brotli.decompress(body) == plain
    assert len(body) < len(plain) / 3


def test_errors_are_not_cached(client):
    labelled_territory()
    client.get("/territoires/nulle-part/")

    _, queries = _get(client, "/territoires/nulle-part/")

    assert queries > 0


def test_off_when_the_setting_is_zero(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    _, urls = _public_urls()
    client.get(urls["directory"])

    response, queries = _get(client, urls["directory"])

    assert queries > 0
    assert "ETag" not in response.headers


@pytest.mark.parametrize("name", ["home", "verification", "challenges", "call"])
def test_public_page_query_count_does_not_grow_with_territories(client, name):
    _, urls = _public_urls()
    small = _get(client, urls[name])[1]
    wave = WaveFactory()
    for _ in range(60):
        ChallengeFactory(territory=labelled_territory(wave=wave))
    large = _get(client, urls[name])[1]

    assert small == large <= 8


def test_the_api_rate_limit_holds_for_cached_answers(client, settings):
    settings.API_RATE = "3/minute"
    _public_urls()

    statuses = [client.get("/api/v1/waves/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_base_map_is_compressed_and_keeps_its_lifetime(client):
    labelled_territory()
    plain = client.get("/territoires/carte.svg")

    response = client.get("/territoires/carte.svg", headers={"accept_encoding": "br"})

    assert response.headers["Content-Encoding"] == "br"
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert len(response.content) < len(plain.content) / 3


def test_a_hit_in_this_process_reads_only_the_versions(client, monkeypatch):
    from django.core.cache import cache

    from frenchimpact import public_cache

    _, urls = _public_urls()
    client.get(urls["directory"])  # stored in the shared cache and here
    asked = []
    real_get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys: asked.append(list(keys)) or real_get_many(keys)
    )

    response, queries = _get(client, urls["directory"])

    assert response.status_code == 200 and queries == 0
    assert asked == [list(public_cache.VERSION_KEYS.values())]  # no page body


def test_another_process_sees_a_change_made_elsewhere(client):
    """Each gunicorn worker holds its own copies: a change bumps the shared
    version, and every worker's copy is outdated at once."""
    from frenchimpact import public_cache

    territory, urls = _public_urls()
    client.get(urls["territory"])
    held = len(public_cache.local_entries)

    # as if another worker had saved the change: only the shared version moves
    type(territory).objects.filter(pk=territory.pk).update(name="Pays Changé")
    public_cache.bump_data_version()

    body, queries = _get(client, urls["territory"])
    assert "Pays Changé" in body.content.decode() and queries > 0
    assert held >= 1


def test_a_new_certificate_refreshes_verification_but_no_other_page(client):
    from territories.models import Certificate

    territory, urls = _public_urls()
    label = territory.labels.get()
    for url in (urls["verification"], urls["directory"], urls["territory"]):
        client.get(url)

    Certificate.objects.create(
        label=label,
        language="fr",
        inputs_hash="a" * 64,
        status="ready",
        sha256="b" * 64,
    )

    verification, verification_queries = _get(client, urls["verification"])
    assert "b" * 64 in verification.content.decode() and verification_queries > 0
    for name in ("directory", "territory"):
        assert _get(client, urls[name])[1] == 0, name


def test_entries_expire_even_without_a_change(client, monkeypatch):
    from frenchimpact import public_cache

    _, urls = _public_urls()
    client.get(urls["home"])
    later = public_cache.time.time() + 601
    monkeypatch.setattr(public_cache.time, "time", lambda: later)

    _, queries = _get(client, urls["home"])

    assert queries > 0


def test_local_entries_keep_within_their_budget():
    from frenchimpact.public_cache import LocalEntries

    entries = LocalEntries(max_bytes=3 * (1000 + 512))
    for name in "abcd":
        entries.put(name, {"body": b"x" * 1000})
    entries.get("b")  # used lately: kept
    entries.put("e", {"body": b"x" * 1000})
    entries.put("huge", {"body": b"x" * 10_000})  # larger than the budget

    assert [k for k in "abcdeh" if entries.get(k)] == ["b", "d", "e"]
    assert entries.get("huge") is None
