import pytest

from territories.services import sync_geography


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the régions and départements of the COG once per test database."""
    with django_db_blocker.unblock():
        sync_geography()


@pytest.fixture(autouse=True)
def _geography_present(request):
    """Transactional tests empty the tables when they end: load the reference
    geography again for the tests that follow them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from territories.models import Region

    if not Region.objects.exists():
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
    from django.core.cache import cache

    cache.clear()  # rate-limit counters do not leak from one test to another


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


def _forget_broker_connections(app):
    """Drop pooled broker connections, made with the previous options."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_process(settings, tmp_path):
    """A real Celery worker, in its own process, on the configured broker
    (the file-system broker by default, Redis in CI) and the test database."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    log = tmp_path / "worker.log"
    from frenchimpact.celery import app

    previous_options = app.conf.broker_transport_options
    broker_env = {}
    if app.conf.broker_url == "filesystem://":
        # the file-system broker shares nothing with a developer's worker
        folder = tmp_path / "broker"
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True)
        broker_env["CELERY_BROKER_FOLDER"] = str(folder)
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    _forget_broker_connections(app)
    env = {
        **broker_env,
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": "consolemail://",
    }
    root = Path(__file__).resolve().parents[1]
    worker = subprocess.Popen(  # noqa: S603 - the project's own worker
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "frenchimpact",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--logfile",
            str(log),
            "--hostname",
            f"test-{os.getpid()}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=root,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and "ready" in log.read_text():
            break
        if worker.poll() is not None:
            raise RuntimeError(
                f"worker died: {log.read_text() if log.exists() else ''}"
            )
        time.sleep(0.2)
    else:
        worker.kill()
        raise RuntimeError("worker not ready after 60 s")
    yield worker
    app.conf.broker_transport_options = previous_options
    _forget_broker_connections(app)
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
