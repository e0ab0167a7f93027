import pytest

from territories.services import sync_geography


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the régions and départements of the COG once per test database."""
    with django_db_blocker.unblock():
        sync_geography()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks in-process when their on-commit callbacks run;
    tests marked ``worker`` drive a real worker on the real broker."""
    from frenchimpact.celery import app

    eager = "worker" not in request.keywords
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = eager
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def mailoutbox_rows():
    """The e-mails saved in the portal's outbox."""
    from frenchimpact.models import OutboundEmail

    def rows():
        return list(OutboundEmail.objects.order_by("pk"))

    return rows
