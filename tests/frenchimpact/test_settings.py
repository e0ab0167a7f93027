"""The production profile refuses to start half-configured, and passes
Django's deployment checks once configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k9$Wq2!zT7vLmP4#xR8nB1@cY6uH3^eJ5&gF0*aD-sQ+oI=" + "wZ2",
    "ALLOWED_HOSTS": "territoires.example.org",
    "DATABASE_URL": "sqlite:////tmp/frenchimpact-check.sqlite3",
}


def manage(*args, env):
    # the variables a production profile sets, and the one the browser
    # journeys set for their own module, which check --deploy refuses
    unwanted = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(  # noqa: S603 - the project's own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_profile_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def test_s3_storage_is_chosen_by_configuration():
    code = (
        "from django.conf import settings; "
        "from django.core.files.storage import storages; "
        "print(settings.STORAGES['default']['BACKEND'], "
        "type(storages['default']).__name__, storages['default'].bucket_name)"
    )
    result = manage(
        "shell",
        "-c",
        code,
        env={
            "AWS_STORAGE_BUCKET_NAME": "documents-tfi",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage S3Storage documents-tfi" in result.stdout


def test_redis_cache_keeps_one_client_per_connection_pool():
    """Django's own client builds a redis.Redis at each operation."""
    from frenchimpact.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache

    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("a")


def test_a_fresh_checkout_queues_tasks_on_the_embedded_broker(tmp_path):
    """`make run` loads the demo, which queues the open data, before the
    worker starts: the file-system broker's folders must already exist."""
    folder = tmp_path / "broker"
    code = (
        "from frenchimpact.queue import enqueue; "
        "from opendata.tasks import task_rebuild_open_data; "
        "print(enqueue(task_rebuild_open_data, requested_at=0.0))"
    )
    result = manage(
        "shell",
        "-c",
        code,
        env={"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(folder)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
    assert "Broker unreachable" not in result.stderr
    messages = list((folder / "queue").iterdir())
    assert len(messages) == 1
    assert "opendata.rebuild" in messages[0].read_text()
