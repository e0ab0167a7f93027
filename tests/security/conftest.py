"""Fixtures of the security tests: one world per module, built once inside
a transaction that is rolled back when the module ends."""

import pytest
from django.db import transaction
from django.test.utils import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def security_media_root(tmp_path_factory):
    """One media folder for the module-wide world (the root conftest gives
    each test its own, where the world's files would not be found)."""
    return tmp_path_factory.mktemp("security-media")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, security_media_root):
    """Overrides the root fixture of the same name: same settings, except
    the media folder, shared with the world built once per module."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.MEDIA_ROOT = security_media_root
    from django.core.cache import cache

    cache.clear()  # rate-limit counters do not leak from one test to another


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, security_media_root):
    """The world of :mod:`tests.security.world`, built once for the module.

    Each test still runs in its own savepoint (pytest-django's ``db``), so
    nothing a test does survives it; the whole world is rolled back at the
    end of the module."""
    from territories.models import Region
    from territories.services import sync_geography

    from .world import build_world

    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=security_media_root, PASSWORD_HASHERS=FAST_HASHERS
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if not Region.objects.exists():  # emptied by a transactional test
                sync_geography()
            built = build_world()
        except BaseException as error:
            transaction.set_rollback(True)
            atomic.__exit__(type(error), error, error.__traceback__)
            raise
        try:
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
