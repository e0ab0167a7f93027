"""Benchmark of the public directory at programme scale.

Seeds 1,000 labelled territories in a database of its own (``var/bench.sqlite3``
unless ``DATABASE_URL`` is set), then prints the SQL queries and the median
response time of the directory's first page, a filtered search and a
territory page, measured in-process with Django's test client.

    make bench            # or: .venv/bin/python benchmarks/directory.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frenchimpact.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault(
    "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from applications.models import Call, Wave  # noqa: E402
from frenchimpact.text import fold  # noqa: E402
from territories.enums import TerritoryKind  # noqa: E402
from territories.models import Department, Label, Territory  # noqa: E402
from territories.services import sync_geography  # noqa: E402

TERRITORIES = 1000
RUNS = 30


@transaction.atomic
def seed():
    sync_geography()
    if Territory.objects.count() >= TERRITORIES:
        return
    call = Call.objects.create(
        name="AMI", slug="ami-bench", opened_on=dt.date(2018, 7, 1)
    )
    now = django.utils.timezone.now()
    waves = [
        Wave.objects.create(
            call=call,
            number=n,
            name=f"Vague {n}",
            opens_at=now - dt.timedelta(days=400 - n),
            closes_at=now - dt.timedelta(days=300 - n),
            status="decided",
        )
        for n in range(1, 11)
    ]
    departments = list(Department.objects.exclude(code__startswith="97"))
    kinds = list(TerritoryKind.values)
    territories = Territory.objects.bulk_create(
        Territory(
            name=f"Territoire {n:04d}",
            slug=f"territoire-{n:04d}",
            kind=kinds[n % len(kinds)],
            summary=f"Territoire de démonstration numéro {n}.",
            search_text=fold(f"Territoire {n:04d} démonstration"),
        )
        for n in range(TERRITORIES)
    )
    through_d = Territory.departments.through
    through_r = Territory.regions.through
    d_rows, r_rows = [], []
    for n, territory in enumerate(territories):
        department = departments[n % len(departments)]
        d_rows.append(through_d(territory=territory, department=department))
        r_rows.append(through_r(territory=territory, region_id=department.region_id))
    through_d.objects.bulk_create(d_rows)
    through_r.objects.bulk_create(r_rows)
    Label.objects.bulk_create(
        Label(
            territory=territory,
            wave=waves[n % len(waves)],
            number=f"TFI-B-{n:05d}",
            awarded_on=dt.date(2019, 3, 22),
        )
        for n, territory in enumerate(territories)
    )


def measure(client, url):
    connection.queries_log.clear()  # the log is capped; seeding may have filled it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(timings)


def main():
    call_command("migrate", verbosity=0)
    seed()
    client = Client()
    rows = [
        ("directory, first page", "/territoires/"),
        ("directory, search + région", "/territoires/?q=territoire+00&region=84"),
        ("directory, page 40", "/territoires/?page=40"),
        ("territory page", "/territoires/territoire-0500/"),
    ]
    print(
        f"{Territory.objects.count()} territories, database "
        f"{connection.vendor}, {RUNS} runs each (in-process test client)\n"
    )
    print(f"{'page':<30} {'SQL queries':>12} {'median ms':>10}")
    for title, url in rows:
        queries, median = measure(client, url)
        print(f"{title:<30} {queries:>12} {median:>10.1f}")


if __name__ == "__main__":
    main()
