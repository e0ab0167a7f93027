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
def _security_defaults(settings):
    """The tests log in with ``force_login``: the second factor is off unless
    a test turns it on (tests/accounts/test_second_factor.py), so is the idle
    expiry of privileged sessions (its saves would count in the pinned query
    counts; tests/accounts/test_privileged_session.py), and uploads
    get an immediate « clean » verdict unless a test sets another antivirus
    (tests/security/test_antivirus.py)."""
    settings.TWO_FACTOR_REQUIRED = False
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 0
    settings.ANTIVIRUS_BACKEND = "tests.antivirus.CleanScanner"


@pytest.fixture(autouse=True)
def _french_first():
    """Each test starts in French: a request to an /en/ page leaves English
    active in the thread, and URLs reversed afterwards would be English."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


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


def _use_queue(app, name):
    """Send the tasks to queue ``name`` from now on (Celery caches the
    queues and routes it derived from the previous default)."""
    app.conf.task_default_queue = name
    amqp = app.amqp
    for cached in ("queues", "default_queue", "router"):
        amqp.__dict__.pop(cached, None)
    amqp._rtable = None


class WorkerStarter:
    """Starts real Celery workers, one after another or side by side, in
    their own process groups, on the configured broker (the file-system
    broker by default, Redis in CI) and the test database."""

    def __init__(self, settings, tmp_path):
        import os

        from django.db import connection

        from frenchimpact.celery import app

        self.app = app
        self.tmp_path = tmp_path
        self.processes = []
        db = connection.settings_dict
        if db["ENGINE"].endswith("sqlite3"):
            database_url = f"sqlite:///{db['NAME']}"
        else:
            database_url = (
                f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )
        self.previous_options = app.conf.broker_transport_options
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
        # a queue of this test's own: no other worker on the same broker (a
        # developer's, a benchmark's, another test run's) takes its tasks
        import uuid

        self.previous_queue = app.conf.task_default_queue
        queue = f"test-{uuid.uuid4().hex[:12]}"
        _use_queue(app, queue)
        _forget_broker_connections(app)
        self.env = {
            **broker_env,
            **os.environ,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_URL": "consolemail://",
        }
        self.settings = settings

    def start(self, *, pool="solo", concurrency=1):
        import os
        import subprocess
        import sys
        import time
        from pathlib import Path

        log = self.tmp_path / f"worker-{len(self.processes)}.log"
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
                pool,
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "--logfile",
                str(log),
                "--hostname",
                f"test-{os.getpid()}-{len(self.processes)}@%h",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=root,
            env={
                **self.env,
                "DOCUMENT_RENDER_LEASE": str(self.settings.DOCUMENT_RENDER_LEASE),
            },
            start_new_session=True,
        )
        self.processes.append(worker)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and "ready" in log.read_text():
                return worker
            if worker.poll() is not None:
                raise RuntimeError(
                    f"worker died: {log.read_text() if log.exists() else ''}"
                )
            time.sleep(0.2)
        self.kill(worker)
        raise RuntimeError("worker not ready after 60 s")

    @staticmethod
    def kill(worker):
        """SIGKILL the worker and its pool processes, as a crash would."""
        import contextlib
        import os
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=20)

    def stop_all(self):
        import os
        import signal
        import subprocess

        for worker in self.processes:
            if worker.poll() is not None:
                continue
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(worker)
        self.app.conf.broker_transport_options = self.previous_options
        _use_queue(self.app, self.previous_queue)
        _forget_broker_connections(self.app)


@pytest.fixture
def celery_workers(settings, tmp_path):
    """Start real Celery workers with ``celery_workers.start()``."""
    starter = WorkerStarter(settings, tmp_path)
    yield starter
    starter.stop_all()


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real Celery worker (solo pool) for the test."""
    return celery_workers.start()
