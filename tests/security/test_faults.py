"""Faults injected into a running stack: nothing is lost, service resumes.

- Redis (the broker) stopped while a team submits: the submission is saved
  and acknowledged; the receipt and the e-mail wait; once Redis is back, the
  periodic sweep and flush (what beat runs) and a real worker produce the
  receipt and send the e-mail exactly once.
- PostgreSQL restarted (``pg_ctl restart -m fast``) under continuous
  requests to gunicorn (two workers): during the outage the requests get a
  clean 503 page quickly, never a hang; afterwards every request answers 200
  again within seconds, without restarting gunicorn.

Private servers only (Redis on port 6391, PostgreSQL on 5441): the shared
ones are never touched. Figures go to ``var/security-report/faults.json``.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server")
REDIS_PORT = 6391
PG_PORT = 5441
REPORT = ROOT / "var" / "security-report" / "faults.json"


def _record(key, figures):
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    data[key] = figures
    REPORT.write_text(json.dumps(data, indent=1, sort_keys=True))


def _wait_port(port, *, up=True, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return True
        except OSError:
            if not up:
                return True
        time.sleep(0.1)
    return False


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


# --- Redis stopped at submission -------------------------------------------------


class PrivateRedis:
    def __init__(self, port):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert _wait_port(self.port), "private redis-server did not start"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        assert _wait_port(self.port, up=False)


@pytest.fixture
def private_redis():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed: the broker fault needs it")
    redis = PrivateRedis(REDIS_PORT)
    redis.start()
    yield redis
    redis.stop()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_submission_while_redis_is_down_is_kept_then_delivered_once(
    private_redis, settings, client, monkeypatch, tmp_path
):
    from django.urls import reverse

    from applications.models import Candidacy, Receipt
    from frenchimpact.celery import app
    from frenchimpact.models import OutboundEmail
    from tests.conftest import WorkerStarter, _forget_broker_connections
    from tests.factories import candidacy_for, complete

    url = f"redis://127.0.0.1:{private_redis.port}/0"
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    _forget_broker_connections(app)
    starter = WorkerStarter(settings, tmp_path)
    try:
        candidacy = complete(candidacy_for())
        client.force_login(candidacy.created_by)
        private_redis.stop()

        started = time.monotonic()
        response = client.post(
            reverse("applications:submit", args=[candidacy.pk]), follow=True
        )
        took = time.monotonic() - started

        page = response.content.decode()
        assert response.status_code == 200
        assert "Votre candidature a été déposée" in page
        assert Candidacy.objects.get(pk=candidacy.pk).state == "submitted"
        receipt = Receipt.objects.get(candidacy=candidacy)
        assert receipt.status == "queued"
        email = OutboundEmail.objects.get(subject__contains=candidacy.reference)
        assert email.status == "pending"

        # Redis is back; beat's sweep and flush find what waits
        private_redis.start()
        _forget_broker_connections(app)
        starter.start()
        long_ago = {"updated_at": receipt.updated_at.replace(year=2020)}
        Receipt.objects.filter(pk=receipt.pk).update(**long_ago)
        OutboundEmail.objects.filter(pk=email.pk).update(
            created_at=email.created_at.replace(year=2020)
        )
        from applications.tasks import task_sweep_receipts
        from frenchimpact.tasks import task_flush_outbox

        assert task_sweep_receipts() == 1
        assert task_flush_outbox() == 1

        assert wait_for(lambda: Receipt.objects.get(pk=receipt.pk).status == "ready"), (
            "the receipt was not rendered after Redis came back"
        )
        assert wait_for(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent"
        ), "the e-mail was not sent after Redis came back"
        # a second sweep and flush (beat runs them again) change nothing
        assert task_sweep_receipts() == 0
        task_flush_outbox()
        time.sleep(2)
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("sent", 1)
        assert Receipt.objects.filter(candidacy=candidacy).count() == 1
    finally:
        starter.stop_all()
        app.conf.broker_url, app.conf.broker_transport_options = previous
        _forget_broker_connections(app)
    _record(
        "redis_stopped_at_submission",
        {
            "submission answered in seconds": round(took, 2),
            "candidacy state": "submitted",
            "receipts rendered": 1,
            "e-mails sent": 1,
            "e-mail attempts": email.attempts,
            "lost": 0,
        },
    )


# --- PostgreSQL restarted under load ----------------------------------------------


class PrivatePostgres:
    """A throw-away cluster owned by the ``postgres`` user under /tmp."""

    def __init__(self, port):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="fi-faults-pg-"))
        self.data = self.dir / "data"

    def _as_postgres(self, *args, check=True, timeout=120):
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(  # noqa: S603 - Debian's PostgreSQL tools
            command, check=check, capture_output=True, text=True, timeout=timeout
        )

    def start(self):
        shutil.chown(self.dir, "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8",
        )  # fmt: skip
        self.pg_ctl("start")
        self._as_postgres(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", "fi_faults",
        )  # fmt: skip

    def pg_ctl(self, action, *extra):
        return self._as_postgres(
            str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-w",
            "-l", str(self.dir / "postgres.log"),
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
            *extra,
        )  # fmt: skip

    def destroy(self):
        self.pg_ctl("stop", "-m", "immediate") if self.data.exists() else None
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/fi_faults"


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL 15 server binaries are not installed")
    cluster = PrivatePostgres(PG_PORT)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_postgres_restart_under_load_recovers_without_restarting_gunicorn(
    private_postgres, tmp_path
):
    env = {
        **os.environ,
        "DATABASE_URL": private_postgres.url,
        "DJANGO_ENV": "development",
        "DEBUG": "False",
        "CONN_MAX_AGE": "60",
        "CACHE_URL": "locmemcache://faults",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "consolemail://",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PUBLIC_CACHE_SECONDS": "0",
        "API_RATE": "",
        "LOG_LEVEL": "CRITICAL",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    port = _free_port()
    gunicorn = subprocess.Popen(  # noqa: S603 - the project's WSGI server
        [
            str(Path(sys.executable).parent / "gunicorn"), "frenchimpact.wsgi",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "30",
            "--error-logfile", str(tmp_path / "gunicorn.log"),
        ],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    pages = ["/", "/appel/", "/territoires/"]
    results = []  # (started, finished, status, path)
    stop = threading.Event()

    def load(n):
        i = n
        while not stop.is_set():
            path = pages[i % len(pages)]
            i += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{path}", timeout=15
                ) as response:
                    status = response.status
                    response.read()
            except urllib.error.HTTPError as error:
                status = error.code
                body = error.read().decode("utf-8", "replace")
                if status == 503:
                    assert "Service momentanément indisponible" in body
            except OSError:
                status = "no answer"
            results.append((started, time.monotonic(), status, path))
            time.sleep(0.02)

    try:
        assert _wait_port(port, timeout=60), "gunicorn did not start"
        assert wait_for(lambda: _get(port, "/") == 200, timeout=60)
        threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        restart_started = time.monotonic()
        private_postgres.pg_ctl("restart", "-m", "fast")
        restart_done = time.monotonic()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert gunicorn.poll() is None, "gunicorn died"
    finally:
        stop.set()
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    before = [r for r in results if r[1] < restart_started]
    failures = [r for r in results if r[2] != 200]
    after_restart = [r for r in results if r[0] > restart_done]
    last_failure_end = max((r[1] for r in failures), default=restart_done)
    recovered_in = max(0.0, last_failure_end - restart_done)
    assert len(before) > 10 and all(r[2] == 200 for r in before)
    # during the outage: a clean 5xx page, quickly, never a hang
    assert all(isinstance(r[2], int) and 500 <= r[2] < 600 for r in failures), {
        r[2] for r in failures
    }
    assert max(r[1] - r[0] for r in results) < 10
    # afterwards: every request answers 200 again within a few seconds
    assert recovered_in < 5, recovered_in
    late = [r for r in after_restart if r[0] > restart_done + 5]
    assert late and all(r[2] == 200 for r in late)
    _record(
        "postgres_restart_under_load",
        {
            "requests sent": len(results),
            "failed during the outage": len(failures),
            "statuses of the failures": sorted({str(r[2]) for r in failures}),
            "restart took (s)": round(restart_done - restart_started, 2),
            "recovered after restart (s)": round(recovered_in, 2),
            "slowest request (s)": round(max(r[1] - r[0] for r in results), 2),
            "gunicorn restarted": False,
        },
    )


def _get(port, path):
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}{path}", timeout=5
        ) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_unreachable_database_gives_the_503_page_others_the_500():
    from django.db import OperationalError
    from django.test import RequestFactory

    from frenchimpact.views import server_error

    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        unavailable = server_error(request)
    try:
        raise ValueError("bug")
    except ValueError:
        broken = server_error(request)

    assert unavailable.status_code == 503
    assert unavailable["Retry-After"] == "10"
    assert "Service momentanément indisponible" in unavailable.content.decode()
    assert broken.status_code == 500
    assert "Erreur inattendue" in broken.content.decode()
