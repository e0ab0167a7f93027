"""Benchmark of the portal at ten years of programme scale.

One command (``make bench`` runs it), separate from the tests:

1. seeds, with ``bulk_create``, in a PostgreSQL database of its own, ten
   years of programme at a larger scale than reality: 1,000 territories,
   10 waves, 10,000 candidacies, 30,000 reviews, 2,000 challenges with
   10,000 objectives and 50,000 progress reports; and the same shape with
   2 territories in a small SQLite database;
2. counts the SQL queries of each public page and of the staff's ranking and
   dashboards on both data sets (in-process, Django's test client), and
   times the staff ranking of the wave of 1,000 candidacies;
3. starts the production stack natively (``DJANGO_ENV=production``):
   gunicorn with 2 workers serving static files through whitenoise,
   PostgreSQL, Redis (cache and broker), a Celery worker with 2 processes;
4. measures with ``wrk`` at 16 and at 64 connections, on 127.0.0.1, the
   requests per second and p50/p99 latencies of the public pages and, in
   the same run on the same server, of a static file of the same size as
   each page (a copy of the page written into ``STATIC_ROOT``): the limit
   to approach;
5. weighs each public page as a browser would on a first and on a repeat
   visit (bytes and requests, compressed as served, third-party requests);
6. runs ``benchmarks/documents.py`` (certificates, worker, wave report) on
   its own database and a Redis broker;
7. prints one table and writes it, with the machine and the command, to
   ``docs/performance.md``.

Environment (defaults in brackets):

- ``BENCH_DATABASE_URL`` [postgres://postgres@127.0.0.1:5432/frenchimpact_bench]
- ``BENCH_DOCUMENTS_DATABASE_URL``
  [postgres://postgres@127.0.0.1:5432/frenchimpact_bench_documents]
- ``BENCH_REDIS_URL`` [redis://127.0.0.1:6379]; ``BENCH_REDIS_DBS`` [9,10,11]:
  the documents' broker, the web's cache, the web's broker (each emptied)
- ``BENCH_PORT`` [8021]; ``BENCH_DURATION`` [8] seconds per wrk run
- ``BENCH_SKIP_DOCUMENTS=1`` reuses the last documents figures
  (``docs/benchmarks/documents.md``) instead of running them again.
- ``BENCH_ONLY=public`` only counts the queries of the pages and weighs the
  public pages, on the databases already seeded, after collecting the
  static files again: no seed, no ``wrk``, no documents, and
  ``docs/performance.md`` is left as it is (the figures are printed).
- ``BENCH_STATIC_ROOT`` [var/static]: where the static files are collected.
- ``BENCH_ONLY=staff`` only counts the queries and times the staff's pages
  (ranking, waves, dashboard) on the databases already seeded, prints them
  and updates their rows of ``docs/performance.md`` (the other rows are
  left as they are, with a line saying when the staff rows were measured).

PostgreSQL and Redis must be running (as for ``.ci/run``); the databases
are created when missing and seeded once (the seed is kept between runs).
"""

import argparse
import datetime as dt
import gzip
import html.parser
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import speed  # benchmarks/speed.py, beside this script

sys.stdout.reconfigure(line_buffering=True)
ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
PY = sys.executable
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/frenchimpact_bench"
)
DOCUMENTS_DATABASE_URL = os.environ.get(
    "BENCH_DOCUMENTS_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/frenchimpact_bench_documents",
)
SMALL_DATABASE_URL = f"sqlite:///{VAR / 'bench-small.sqlite3'}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
DOCUMENTS_BROKER_DB, CACHE_DB, BROKER_DB = (
    int(n) for n in os.environ.get("BENCH_REDIS_DBS", "9,10,11").split(",")
)
PORT = int(os.environ.get("BENCH_PORT", "8021"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
CONNECTIONS = (16, 64)
# the project's static files, as `make setup` collects them (the production
# storage: fingerprinted and compressed); collected here only when missing
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT") or VAR / "static")
MEDIA_ROOT = VAR / "bench-web-media"
LOGS = VAR / "log"
MARKDOWN = ROOT / "docs" / "performance.md"
DOCUMENTS_MARKDOWN = ROOT / "docs" / "benchmarks" / "documents.md"
STAFF_EMAIL = "hcess@bench.example.org"
STAFF_RUNS = 5
SCALES = {
    # territories, waves, candidacies per wave, reviews per candidacy,
    # challenges per territory (2 projects each), objectives per challenge,
    # progress reports per objective
    "full": {"territories": 1000, "waves": 10, "candidacies": 1000, "reviewers": 60},
    "small": {"territories": 2, "waves": 2, "candidacies": 4, "reviewers": 4},
}
REVIEWS_PER_CANDIDACY = 3
CHALLENGES_PER_TERRITORY = 2
OBJECTIVES_PER_CHALLENGE = 5
REPORTS_PER_OBJECTIVE = 5
TARGETS = {
    "ratio": 0.5,
    "p99_ms": 50,
    "queries": 8,
    "ranking_ms": 150,
    "first_kb": 350,
    "first_requests": 15,
    "repeat_kb": 30,
}
# pages measured with wrk and weighed (a subset of those whose queries count)
LOADED = ("home", "directory", "search", "territory", "verification", "api")


def production_env(database_url: str, **extra) -> dict:
    """The environment of .ci/run's production processes, for the bench."""
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url,
        CACHE_URL=f"{REDIS_URL}/{CACHE_DB}",
        CELERY_BROKER_URL=f"{REDIS_URL}/{BROKER_DB}",
        CELERY_TASK_DEFAULT_QUEUE="bench-web",
        STATIC_ROOT=str(STATIC_ROOT),
        MEDIA_ROOT=str(MEDIA_ROOT),
        EMAIL_URL="consolemail://",
        SITE_URL=f"http://127.0.0.1:{PORT}",
        LOG_LEVEL="WARNING",
        # one address sends every request: the per-address limits of the API
        # and of the verification would refuse the load generator
        API_RATE="",
        DJANGO_SETTINGS_MODULE="frenchimpact.settings",
    )
    env.pop("BENCH_SECRET_KEY", None)
    env.update(extra)
    return env


# --- In a subprocess, with Django: seed and count queries -------------------


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frenchimpact.settings")
    import django

    django.setup()


def seed(scale: str) -> None:
    """Seed one data set with bulk_create (nothing when already there)."""
    django_setup()
    import random
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from applications.enums import CandidacyState, WaveStatus
    from applications.models import Call, Candidacy, Criterion, Wave
    from challenges.enums import StructureKind, Theme
    from challenges.models import (
        Challenge,
        Indicator,
        Objective,
        ProgressReport,
        Project,
    )
    from frenchimpact.text import fold
    from reviews.enums import ConflictStatus, Recommendation, ReviewState
    from reviews.models import Assignment, Review, Score
    from territories.enums import OrganisationKind, TerritoryKind
    from territories.models import Department, Label, Organisation, Territory
    from territories.services import sync_geography

    s = SCALES[scale]
    if Territory.objects.filter(slug__startswith="bench-").count() >= s["territories"]:
        print(f"{scale}: already seeded")
        return
    start = time.perf_counter()
    rng = random.Random(2018)  # noqa: S311 - reproducible data, not secrets
    now = timezone.now()
    towns = ["Lons-le-Saunier", "Figeac", "Aurillac", "Guéret", "Albi", "Dole"]
    batch = 5000
    with transaction.atomic():
        sync_geography()
        call = Call.objects.create(
            name="Appel à manifestation d'intérêt permanent",
            slug="ami-bench",
            opened_on=dt.date(2018, 7, 1),
        )
        n_waves = s["waves"]
        waves = Wave.objects.bulk_create(
            Wave(
                call=call,
                number=n,
                name=f"Vague {n}",
                opens_at=now - dt.timedelta(days=365 * (n_waves - n) + 300),
                closes_at=now - dt.timedelta(days=365 * (n_waves - n) + 200),
                status=WaveStatus.DECIDED if n < n_waves else WaveStatus.UNDER_REVIEW,
                decisions_published_on=(
                    (now - dt.timedelta(days=365 * (n_waves - n) + 100)).date()
                    if n < n_waves
                    else None
                ),
            )
            for n in range(1, n_waves + 1)
        )
        grid = [("Écosystème", 30), ("Gouvernance", 20), ("Défis", 20)]
        grid += [("Moyens", 15), ("Ouverture", 15)]
        criteria = {
            wave.pk: Criterion.objects.bulk_create(
                Criterion(
                    wave=wave, title=t, weight=Decimal(w), scale_max=5, position=i
                )
                for i, (t, w) in enumerate(grid)
            )
            for wave in waves
        }
        password = make_password(None)
        staff = User.objects.create(
            email=STAFF_EMAIL,
            first_name="Claude",
            last_name="Haut-Commissariat",
            role=Role.STAFF,
            is_staff=True,
            password=password,
        )
        reviewers = User.objects.bulk_create(
            User(
                email=f"instructeur{n}@bench.example.org",
                first_name="Dominique",
                last_name=f"Instructeur {n}",
                role=Role.REVIEWER,
                password=password,
            )
            for n in range(s["reviewers"])
        )
        teams = User.objects.bulk_create(
            User(
                email=f"equipe{n}@bench.example.org",
                first_name="Camille",
                last_name=f"Porteuse {n}",
                role=Role.APPLICANT,
                password=password,
            )
            for n in range(s["territories"])
        )
        departments = list(
            Department.objects.exclude(code__startswith="97")
            .select_related("region")
            .order_by("code")
        )
        kinds = list(TerritoryKind.values)
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Pôle de coopération {towns[n % len(towns)]} {n}",
                kind=OrganisationKind.ASSOCIATION,
                town=towns[n % len(towns)],
            )
            for n in range(s["territories"])
        )
        territories = []
        for n in range(s["territories"]):
            department = departments[n % len(departments)]
            name = f"Territoire de {towns[n % len(towns)]} ({department.name}) n° {n}"
            territories.append(
                Territory(
                    name=name,
                    slug=f"bench-{n:04d}",
                    kind=kinds[n % len(kinds)],
                    summary=f"Un territoire qui coopère, numéro {n}.",
                    lead_organisation=organisations[n],
                    search_text=fold(f"{name} {organisations[n].name}"),
                )
            )
        territories = Territory.objects.bulk_create(territories)
        through_d = Territory.departments.through
        through_r = Territory.regions.through
        through_d.objects.bulk_create(
            through_d(territory=t, department=departments[n % len(departments)])
            for n, t in enumerate(territories)
        )
        through_r.objects.bulk_create(
            through_r(
                territory=t, region_id=departments[n % len(departments)].region_id
            )
            for n, t in enumerate(territories)
        )
        decided = waves[:-1]
        labels = Label.objects.bulk_create(
            Label(
                territory=territory,
                wave=decided[n % len(decided)],
                number=f"TFI-BENCH-{n:05d}",
                awarded_on=decided[n % len(decided)].decisions_published_on,
            )
            for n, territory in enumerate(territories)
        )
        # candidacies: in each decided wave, the labelled territories' own
        # and rejected ones; the last wave under review
        candidacies = []
        labelled_by_wave = {}
        for label in labels:
            labelled_by_wave.setdefault(label.wave_id, []).append(label.territory)
        for wave in waves:
            labelled = labelled_by_wave.get(wave.pk, [])
            for n in range(s["candidacies"]):
                department = departments[rng.randrange(len(departments))]
                territory = labelled[n] if n < len(labelled) else None
                if wave.status == WaveStatus.UNDER_REVIEW:
                    state = CandidacyState.UNDER_REVIEW
                elif territory is not None:
                    state = CandidacyState.LABELLED
                else:
                    state = CandidacyState.REJECTED
                candidacies.append(
                    Candidacy(
                        wave=wave,
                        reference=f"BENCH-V{wave.number}-{n:05d}",
                        state=state,
                        territory=territory,
                        territory_name=territory.name if territory else f"Pays {n}",
                        territory_kind=kinds[n % len(kinds)],
                        region_codes=[department.region.code],
                        department_codes=[department.code],
                        perimeter="Quatre intercommunalités.",
                        lead_name=f"Pôle territorial {n}",
                        lead_kind=OrganisationKind.ASSOCIATION,
                        lead_town=towns[n % len(towns)],
                        diagnosis="Un écosystème riche d'associations.",
                        governance="Un comité de pilotage mensuel.",
                        resources="Deux personnes à temps plein.",
                        submitted_at=wave.closes_at - dt.timedelta(days=2),
                        submission_count=1,
                        created_by=teams[n % len(teams)],
                    )
                )
        candidacies = Candidacy.objects.bulk_create(candidacies, batch_size=batch)
        assignments = Assignment.objects.bulk_create(
            (
                Assignment(
                    candidacy=candidacy,
                    reviewer=reviewer,
                    assigned_by=staff,
                    conflict_status=ConflictStatus.NONE,
                    declared_at=candidacy.submitted_at + dt.timedelta(days=5),
                )
                for candidacy in candidacies
                for reviewer in rng.sample(reviewers, REVIEWS_PER_CANDIDACY)
            ),
            batch_size=batch,
        )
        wave_of = {c.pk: c.wave_id for c in candidacies}
        recommendations = list(Recommendation.values)
        reviews = Review.objects.bulk_create(
            (
                Review(
                    assignment=assignment,
                    state=ReviewState.SUBMITTED,
                    recommendation=rng.choice(recommendations),
                    comment="Un dossier solide ; la gouvernance reste à préciser.",
                    version=1,
                    submitted_at=assignment.declared_at + dt.timedelta(days=10),
                )
                for assignment in assignments
            ),
            batch_size=batch,
        )
        candidacy_of = {a.pk: a.candidacy_id for a in assignments}
        Score.objects.bulk_create(
            (
                Score(
                    review=review,
                    criterion=criterion,
                    value=rng.randint(1, 5),
                    shared=rng.random() < 0.5,
                )
                for review in reviews
                for criterion in criteria[wave_of[candidacy_of[review.assignment_id]]]
            ),
            batch_size=batch,
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(name=name, unit=unit, folded_name=fold(name))
            for name, unit in [
                ("Emplois créés", "emplois"),
                ("Personnes accompagnées", "personnes"),
                ("Structures de l'ESS", "structures"),
                ("Tonnes de déchets évitées", "tonnes"),
                ("Logements rénovés", "logements"),
            ]
        )
        themes = list(Theme.values)
        challenges = Challenge.objects.bulk_create(
            (
                Challenge(
                    territory=territory,
                    title=f"Défi {i + 1} du territoire {n}",
                    theme=themes[(n + i) % len(themes)],
                    description="Faire coopérer les acteurs du territoire.",
                    position=i,
                    is_published=True,
                )
                for n, territory in enumerate(territories)
                for i in range(CHALLENGES_PER_TERRITORY)
            ),
            batch_size=batch,
        )
        structures = list(StructureKind.values)
        projects = Project.objects.bulk_create(
            (
                Project(
                    challenge=challenge,
                    name=f"Projet {i + 1}",
                    structure_kind=structures[i % len(structures)],
                    position=i,
                )
                for challenge in challenges
                for i in range(2)
            ),
            batch_size=batch,
        )
        objectives = Objective.objects.bulk_create(
            (
                Objective(
                    project=projects[2 * c + (i % 2)],
                    statement=f"Objectif {i + 1}",
                    indicator=indicators[i % len(indicators)],
                    baseline=Decimal(0),
                    baseline_on=dt.date(2019, 1, 1),
                    target=Decimal(100),
                    deadline=dt.date(2029, 12, 31),
                    position=i,
                )
                for c in range(len(challenges))
                for i in range(OBJECTIVES_PER_CHALLENGE)
            ),
            batch_size=batch,
        )
        ProgressReport.objects.bulk_create(
            (
                ProgressReport(
                    objective=objective,
                    reported_on=dt.date(2020 + year, 6, 30),
                    value=Decimal(10 * (year + 1) + rng.randrange(5)),
                    comment="Mesure annuelle." if year % 2 else "",
                    created_by=teams[n % len(teams)],
                )
                for n, objective in enumerate(objectives)
                for year in range(REPORTS_PER_OBJECTIVE)
            ),
            batch_size=batch,
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        # as autovacuum would soon after such a load: the planner's statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {
        "territories": len(territories),
        "waves": len(waves),
        "candidacies": len(candidacies),
        "reviews": len(reviews),
        "challenges": len(challenges),
        "objectives": len(objectives),
        "progress reports": len(objectives) * REPORTS_PER_OBJECTIVE,
    }
    print(
        f"{scale}: seeded in {time.perf_counter() - start:.0f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )


def public_urls() -> dict:
    from django.db.models import Count

    from challenges.models import Challenge, Project
    from territories.models import Label, Territory

    territories = Territory.objects.filter(slug__startswith="bench-").order_by("slug")
    territory = territories[len(territories) // 2]
    label = Label.objects.filter(territory=territory).first()
    challenge = Challenge.objects.filter(territory=territory).order_by("pk").first()
    project = Project.objects.filter(challenge=challenge).order_by("pk").first()
    # the région with the most territories: a search with many answers
    through = Territory.regions.through.objects
    region = (
        through.values_list("region__code", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n", "region__code")[0]
    )
    return {
        "home": "/",
        "directory": "/territoires/",
        "search": f"/territoires/?q=territoire&region={region}",
        "territory": territory.get_absolute_url(),
        "verification": f"/labels/verifier/{label.verification_code}/",
        "challenges": "/defis/",
        "challenge": f"/defis/{challenge.pk}/",
        "project": f"/defis/projets/{project.pk}/",
        "call": "/appel/",
        "api": "/api/v1/territories/",
    }


def count_queries(dump: str | None) -> None:
    """Print, as JSON, the SQL queries of each public and staff page."""
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from applications.enums import WaveStatus
    from applications.models import Wave

    client = Client(headers={"x-forwarded-proto": "https"})
    result = {"pages": {}, "staff": {}}

    def get(url):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return response, len(queries)

    for name, url in public_urls().items():
        response, queries = get(url)
        result["pages"][name] = {
            "url": url,
            "queries": queries,
            "bytes": len(response.content),
        }
        if dump:
            Path(dump).mkdir(parents=True, exist_ok=True)
            (Path(dump) / f"{name}.html").write_bytes(response.content)
    wave = Wave.objects.filter(status=WaveStatus.UNDER_REVIEW).order_by("-number")[0]
    client.force_login(User.objects.get(email=STAFF_EMAIL))
    staff_urls = {
        "ranking": reverse("reviews:wave", args=[wave.pk]),
        "waves": reverse("reviews:waves"),
        "dashboard": reverse("challenges:dashboard"),
    }
    for name, url in staff_urls.items():
        _response, queries = get(url)
        timings = []
        for _ in range(STAFF_RUNS):
            start = time.perf_counter()
            get(url)
            timings.append((time.perf_counter() - start) * 1000)
        result["staff"][name] = {
            "url": url,
            "queries": queries,
            "median_ms": statistics.median(timings),
            "candidacies": wave.candidacies.count(),
        }
    print("JSON " + json.dumps(result))


# --- In the main process: databases, servers, wrk, page weight ---------------


def run(args, env=None, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def ensure_services():
    import psycopg
    import redis

    for url in (DATABASE_URL, DOCUMENTS_DATABASE_URL):
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            autocommit=True,
        ) as admin:
            if not admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
                print(f"created PostgreSQL database {name}")
    for db in (DOCUMENTS_BROKER_DB, CACHE_DB, BROKER_DB):
        redis.Redis.from_url(f"{REDIS_URL}/{db}").flushdb()


def subprocess_json(args, env) -> dict:
    out = run(args, env, capture_output=True, text=True).stdout
    return json.loads(out.split("JSON ", 1)[1])


def wait_for(url_path: str, seconds=90):
    for _ in range(seconds * 2):
        try:
            status, _h, _b = fetch(url_path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url_path}")


def fetch(path: str, headers=None, host="127.0.0.1"):
    conn = http.client.HTTPConnection(host, PORT, timeout=30)
    conn.request("GET", path, headers={"X-Forwarded-Proto": "https", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.headers, body


def start_stack(env) -> list[subprocess.Popen]:
    LOGS.mkdir(parents=True, exist_ok=True)
    venv = Path(PY).parent
    gunicorn = subprocess.Popen(
        [
            str(venv / "gunicorn"),
            "frenchimpact.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--backlog",
            "2048",
            "--error-logfile",
            str(LOGS / "bench-gunicorn.log"),
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            str(venv / "celery"),
            "-A",
            "frenchimpact",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--logfile",
            str(LOGS / "bench-celery.log"),
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    return [gunicorn, worker]


def stop_stack(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(path: str, connections: int) -> dict:
    out = run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{DURATION}s",
            "--timeout",
            "5s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}
    for percent in ("50", "99"):
        value, unit = re.search(rf"\b{percent}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        result[f"p{percent}"] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)", out)
    result["errors"] = (int(errors[1]) if errors else 0, sockets[1] if sockets else "")
    return result


# --- Page weight ---------------------------------------------------------------


class References(html.parser.HTMLParser):
    """What a browser fetches from the HTML, and the classes it uses."""

    def __init__(self):
        super().__init__()
        self.urls, self.classes, self.tags, self.icon = [], set(), set(), False
        self.attributes = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        self.attributes.update(a)
        self.classes.update((a.get("class") or "").split())
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and a.get("href"):
            if "stylesheet" in rel or "preload" in rel or "modulepreload" in rel:
                self.urls.append(a["href"])
            elif "icon" in rel and not self.icon:  # the browser takes one
                self.icon = True
                self.urls.append(a["href"])
        elif tag in ("script", "img", "iframe", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "object" and a.get("data"):
            self.urls.append(a["data"])
        elif tag in ("image", "use") and (a.get("href") or "")[:1] not in ("", "#"):
            self.urls.append(a["href"].split("#")[0])


CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)")


def selector_used(selector: str, classes: set, tags: set) -> bool:
    """Whether one of the selectors could match the page: its classes and
    element names all appear in the HTML (states, attributes and ids are
    taken as matching)."""
    for part in selector.split(","):
        part = re.sub(r"\[[^\]]*\]|::?[\w-]+(\([^)]*\))?", "", part)
        names = set(re.findall(r"(?:^|[\s>+~(])([a-z][a-z0-9]*)", part.lower()))
        if set(re.findall(r"\.([\w-]+)", part)) <= classes and names <= tags:
            return True
    return False


def css_references(
    css: str, classes: set, tags: set, attributes: frozenset | set = frozenset()
) -> list[str]:
    """url()s the page can use: rules whose selector could match the page
    (see ``selector_used``) and the @font-face of the
    families and weights those rules use (woff2, the browser's first
    choice). An estimate without layout: it errs on the heavy side. A
    ``::placeholder`` rule counts only if an element of the page has a
    ``placeholder`` (without one, no placeholder text is drawn: Chromium
    does not fetch the italic faces of ``.fr-input::placeholder``)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    urls = list(CSS_IMPORT.findall(css))
    faces, families, weights, italic = [], set(), {"400"}, False
    for selector, body in CSS_RULE.findall(css):
        selector = selector.strip()
        if selector.startswith("@font-face"):
            faces.append(body)
            continue
        if not selector_used(selector, classes, tags):
            continue
        urls += [u for u in CSS_URL.findall(body) if not u.startswith("data:")]
        family = re.search(r"font-family:\s*([^;,!}]+)", body)
        if family:
            families.add(family[1].strip().strip("'\"").lower())
        weight = re.search(r"font-weight:\s*(\w+)", body)
        if weight:
            weights.add({"normal": "400", "bold": "700"}.get(weight[1], weight[1]))
        italic |= bool(re.search(r"font-style:\s*italic", body)) and (
            "::placeholder" not in selector or "placeholder" in attributes
        )
    for face in faces:
        family = re.search(r"font-family:\s*([^;]+)", face)
        weight = re.search(r"font-weight:\s*(\w+)", face)
        style = re.search(r"font-style:\s*(\w+)", face)
        if family and family[1].strip().strip("'\"").lower() not in families:
            continue
        if (
            weight
            and {"normal": "400", "bold": "700"}.get(weight[1], weight[1])
            not in weights
        ):
            continue
        if style and style[1] == "italic" and not italic:
            continue
        sources = CSS_URL.findall(face)
        woff2 = [u for u in sources if ".woff2" in u] or sources[:1]
        urls += woff2[:1]
    return urls


def decoded(headers, body: bytes) -> bytes:
    encoding = headers.get("Content-Encoding", "")
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


def header_bytes(status, headers) -> int:
    return (
        len(f"HTTP/1.1 {status} OK\r\n")
        + sum(len(k) + len(v) + 4 for k, v in headers.items())
        + 2
    )


def fresh_in_browser(headers) -> bool:
    control = headers.get("Cache-Control", "").lower()
    if "no-cache" in control or "no-store" in control:
        return False
    max_age = re.search(r"max-age=(\d+)", control)
    return bool(max_age and int(max_age[1]) > 3600)


def weigh(path: str) -> dict:
    """Bytes and requests of a first and of a repeat visit of ``path``."""
    base = f"http://127.0.0.1:{PORT}"
    accept = {"Accept-Encoding": "br, gzip"}
    seen, queue, resources, third_party = set(), [path], [], set()
    parser = None
    while queue:
        url = queue.pop(0)
        absolute = urljoin(base + path, url)
        parts = urlsplit(absolute)
        if parts.netloc != urlsplit(base).netloc:
            third_party.add(parts.netloc)
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local in seen:
            continue
        seen.add(local)
        status, headers, body = fetch(local, accept)
        resources.append((local, status, headers, body))
        content = decoded(headers, body)
        kind = headers.get("Content-Type", "")
        if parser is None and "html" in kind:
            parser = References()
            parser.feed(content.decode("utf-8", "replace"))
            queue += [urljoin(absolute, u) for u in parser.urls]
        elif "css" in kind:
            queue += [
                urljoin(absolute, u)
                for u in css_references(
                    content.decode("utf-8", "replace"),
                    parser.classes,
                    parser.tags,
                    parser.attributes,
                )
            ]
    first = sum(len(b) + header_bytes(s, h) for _p, s, h, b in resources)
    repeat_bytes, repeat_requests = 0, 0
    for local, _status, headers, _body in resources:
        if fresh_in_browser(headers):
            continue
        conditional = dict(accept)
        if headers.get("ETag"):
            conditional["If-None-Match"] = headers["ETag"]
        if headers.get("Last-Modified"):
            conditional["If-Modified-Since"] = headers["Last-Modified"]
        status, again, body = fetch(local, conditional)
        repeat_requests += 1
        repeat_bytes += len(body) + header_bytes(status, again)
    return {
        "first_bytes": first,
        "first_requests": len(resources),
        "repeat_bytes": repeat_bytes,
        "repeat_requests": repeat_requests,
        "third_party": len(third_party),
        "resources": [(p, len(b)) for p, _s, _h, b in resources],
    }


# --- Documents -------------------------------------------------------------------


def documents(skip: bool) -> list[tuple]:
    """The rows of benchmarks/documents.py's PostgreSQL + Redis section."""
    if not skip:
        # the production settings, as the web stack's: a worker in DEBUG
        # keeps every query it makes (documents.py sets its own queue and
        # media folder; the worker logs at INFO, what documents.py reads)
        env = production_env(
            DOCUMENTS_DATABASE_URL,
            CELERY_BROKER_URL=f"{REDIS_URL}/{DOCUMENTS_BROKER_DB}",
            LOG_LEVEL="INFO",
        )
        run([PY, "benchmarks/documents.py"], env)
    text = DOCUMENTS_MARKDOWN.read_text() if DOCUMENTS_MARKDOWN.exists() else ""
    section = re.search(
        r"<!-- run:postgresql:redis -->(.*?)<!-- /run:postgresql:redis -->", text, re.S
    )
    if not section:
        return []
    rows = []
    for line in section[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("Figure", "---", "Database / broker"):
            rows.append(tuple(cells))
    run_on = re.search(r"Run on ([^\n]+) with", section[1])
    return [("documents run", run_on[1] if run_on else "?", "", ""), *rows]


# --- Report ----------------------------------------------------------------------


def yes_no(ok: bool) -> str:
    return "yes" if ok else "**no**"


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return (
        f"{cpu} × {os.cpu_count()}, {ram:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def build_rows(seeded, queries, load, weights, docs) -> list[tuple]:
    rows = [("Data set (full)", seeded, "", "")]
    small, full = queries["small"], queries["full"]
    for name, page in full["pages"].items():
        s, f = small["pages"][name]["queries"], page["queries"]
        rows.append(
            (
                f"SQL queries, {name} (`{page['url'][:48]}`), small / full",
                f"{s} / {f}",
                f"equal, ≤ {TARGETS['queries']}",
                yes_no(s == f and f <= TARGETS["queries"]),
            )
        )
    return rows + staff_rows(queries) + load_rows(load, weights) + docs


def staff_rows(queries) -> list[tuple]:
    """The rows of the staff's pages: query counts, ranking and dashboards."""
    rows = []
    small, full = queries["small"], queries["full"]
    for name, page in full["staff"].items():
        s, f = small["staff"][name]["queries"], page["queries"]
        rows.append(
            (
                f"SQL queries, staff {name}, small / full",
                f"{s} / {f}",
                "equal",
                yes_no(s == f),
            )
        )
    ranking = full["staff"]["ranking"]
    rows.append(
        (
            f"Staff ranking, wave of {ranking['candidacies']:,} candidacies, "
            f"median of {STAFF_RUNS} (in-process)",
            f"{ranking['median_ms']:.0f} ms",
            f"< {TARGETS['ranking_ms']} ms",
            yes_no(ranking["median_ms"] < TARGETS["ranking_ms"]),
        )
    )
    for name in ("waves", "dashboard"):
        rows.append(
            (
                f"Staff {name}, median of {STAFF_RUNS} (in-process)",
                f"{full['staff'][name]['median_ms']:.0f} ms",
                "",
                "",
            )
        )
    return rows


def load_rows(load, weights) -> list[tuple]:
    """The rows of wrk's load and of the pages' weight."""
    rows = []
    for name in LOADED:
        for c in CONNECTIONS:
            page, static = load[name][c]["page"], load[name][c]["static"]
            ratio = page["rps"] / static["rps"] if static["rps"] else 0
            errors = page["errors"][0] + static["errors"][0]
            value = (
                f"{page['rps']:,.0f} req/s, p50 {page['p50']:.1f} ms, p99 "
                f"{page['p99']:.1f} ms — static same size: {static['rps']:,.0f} "
                f"req/s, p99 {static['p99']:.1f} ms — ratio {ratio:.0%}"
            )
            if errors or page["errors"][1] or static["errors"][1]:
                value += f" (errors: {page['errors']}, {static['errors']})"
            target, met = "", ""
            if c == 16:
                target = "≥ 50 % of static, p99 < 50 ms"
                met = (
                    f"ratio {yes_no(ratio >= TARGETS['ratio'])}, "
                    f"p99 {yes_no(page['p99'] < TARGETS['p99_ms'])}"
                )
            rows.append(
                (
                    f"wrk {c} conn., {name} ({load[name]['bytes'] / 1024:.0f} KiB)",
                    value,
                    target,
                    met,
                )
            )
    for name in LOADED:
        w = weights[name]
        rows.append(
            (
                f"First visit, {name}",
                f"{w['first_bytes'] / 1000:.0f} kB, {w['first_requests']} requests",
                f"≤ {TARGETS['first_kb']} kB, ≤ {TARGETS['first_requests']}",
                yes_no(
                    w["first_bytes"] <= TARGETS["first_kb"] * 1000
                    and w["first_requests"] <= TARGETS["first_requests"]
                ),
            )
        )
        rows.append(
            (
                f"Repeat visit, {name}",
                f"{w['repeat_bytes'] / 1000:.1f} kB, {w['repeat_requests']} requests",
                f"≤ {TARGETS['repeat_kb']} kB",
                yes_no(w["repeat_bytes"] <= TARGETS["repeat_kb"] * 1000),
            )
        )
    third = sum(w["third_party"] for w in weights.values())
    rows.append(
        ("Third-party requests, all pages", str(third), "0", yes_no(third == 0))
    )
    return rows


def print_table(rows):
    width = max(len(r[0]) for r in rows)
    print()
    for figure, value, target, met in rows:
        print(f"{figure:<{width}}  {value}  [{target or '—'}] {met or ''}")


def write_markdown(rows, command, started, elapsed, loads, weights, speeds):
    shared = loads[0] > 0.5
    lines = [
        "# Performance at ten years of programme scale",
        "",
        "Written by `benchmarks/programme.py` (see its docstring for what it "
        "does and how); every figure below is measured, never typed. The "
        "PDF figures come from `benchmarks/documents.py` "
        "(`docs/benchmarks/documents.md`), run by the same command.",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} minutes with:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"- Machine: {machine()}",
        f"- Load average at the start {loads[0]:.2f}, at the end {loads[1]:.2f}"
        + (
            ": **the machine was shared** with other work during the run, "
            "the throughputs and latencies are noisy and pessimistic."
            if shared
            else "."
        ),
        f"- {speed.describe(*speeds)}",
        "- Stack: `DJANGO_ENV=production`, gunicorn 2 sync workers (whitenoise "
        "for static files), PostgreSQL, Redis (cache and broker), Celery worker "
        "with 2 processes; `wrk -t2` on the same machine, "
        f"{DURATION} s per run, header `X-Forwarded-Proto: https`, no "
        "`Accept-Encoding` (pages and static files both sent whole).",
        "",
        "| Figure | Value | Target | Met |",
        "| --- | --- | --- | --- |",
    ]
    for figure, value, target, met in rows:
        lines.append(f"| {figure} | {value} | {target or '—'} | {met or '—'} |")
    lines += ["", "## Page weight, resource by resource", ""]
    for name, w in weights.items():
        listed = ", ".join(
            f"`{p.split('?')[0][-40:]}` {n / 1000:.1f}" for p, n in w["resources"]
        )
        lines.append(f"- {name}: {listed} (kB as served, br or gzip)")
    lines += ["", NOTES_MARKER, ""]
    old = MARKDOWN.read_text() if MARKDOWN.exists() else ""
    notes = old.split(NOTES_MARKER, 1)[1].strip() if NOTES_MARKER in old else ""
    MARKDOWN.write_text("\n".join(lines) + (notes + "\n" if notes else ""))
    print(f"written to {MARKDOWN.relative_to(ROOT)}")


# the hand-written part of docs/performance.md (how to read the figures, why
# a target is missed) follows this line and is kept from run to run
NOTES_MARKER = "<!-- notes: written by hand, kept by benchmarks/programme.py -->"


def public_only():
    """``BENCH_ONLY=public``: the query counts of every page on both seeded
    data sets and the weight of the public pages, printed; nothing else is
    run and nothing is written."""
    import redis

    for db in (CACHE_DB, BROKER_DB):
        redis.Redis.from_url(f"{REDIS_URL}/{db}").flushdb()
    env_full = production_env(DATABASE_URL)
    env_small = production_env(SMALL_DATABASE_URL)
    this = [PY, str(Path(__file__).resolve())]
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env_full)
    queries = {}
    for env, scale in ((env_full, "full"), (env_small, "small")):
        env = {
            **env,
            "PUBLIC_CACHE_SECONDS": "0",
            "TWO_FACTOR_REQUIRED": "False",
            "CACHE_URL": "locmemcache://bench",
        }
        queries[scale] = subprocess_json([*this, "queries"], env)
    processes = start_stack(env_full)
    weights = {}
    try:
        wait_for("/healthz")
        for name in LOADED:
            weights[name] = weigh(queries["full"]["pages"][name]["url"])
    finally:
        stop_stack(processes)
    print(f"{'page':<14}{'queries small/full':>20}{'first kB':>10}{'requests':>10}")
    for name, page in queries["full"]["pages"].items():
        weight = weights.get(name)
        print(
            f"{name:<14}"
            f"{queries['small']['pages'][name]['queries']:>9} / "
            f"{page['queries']:<8}"
            + (
                f"{weight['first_bytes'] / 1000:>10.1f}{weight['first_requests']:>10}"
                if weight
                else ""
            )
        )
    for name, weight in weights.items():
        print(
            f"{name}: "
            + ", ".join(
                f"{path} {size / 1000:.1f}" for path, size in weight["resources"]
            )
        )


def staff_only():
    """``BENCH_ONLY=staff``: the staff's pages on both seeded data sets,
    printed, and their rows of ``docs/performance.md`` updated in place."""
    started = dt.datetime.now(dt.UTC)
    speed_start = speed.reference_cpu_ms()
    this = [PY, str(Path(__file__).resolve())]
    queries = {}
    for url, scale in ((DATABASE_URL, "full"), (SMALL_DATABASE_URL, "small")):
        env = {
            **production_env(url),
            "PUBLIC_CACHE_SECONDS": "0",
            "TWO_FACTOR_REQUIRED": "False",
            "CACHE_URL": "locmemcache://bench",
        }
        queries[scale] = subprocess_json([*this, "queries"], env)
        print(f"staff ({scale}): " + json.dumps(queries[scale]["staff"]))
    rows = staff_rows(queries)
    print_table(rows)
    if not MARKDOWN.exists():
        return
    load = float(Path("/proc/loadavg").read_text().split()[0])
    lines = MARKDOWN.read_text().split("\n")
    for figure, value, target, met in rows:
        for i, line in enumerate(lines):
            if line.startswith(f"| {figure} |"):
                lines[i] = f"| {figure} | {value} | {target or '—'} | {met or '—'} |"
    note = (
        f"- Staff rows measured again on {started:%Y-%m-%d %H:%M} UTC with "
        "`BENCH_ONLY=staff` (load average "
        f"{load:.2f}; the fixed work of `benchmarks/speed.py` took "
        f"{speed_start:.0f} ms, then {speed.reference_cpu_ms():.0f} ms; the "
        "other rows are from the run above)."
    )
    lines = [line for line in lines if not line.startswith("- Staff rows measured")]
    lines.insert(lines.index("| Figure | Value | Target | Met |") - 1, note)
    MARKDOWN.write_text("\n".join(lines))
    print(f"staff rows written to {MARKDOWN.relative_to(ROOT)}")


def main():
    if os.environ.get("BENCH_ONLY") == "public":
        return public_only()
    if os.environ.get("BENCH_ONLY") == "staff":
        return staff_only()
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    load_start = float(Path("/proc/loadavg").read_text().split()[0])
    speed_start = speed.reference_cpu_ms()
    command = " ".join(
        [f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("BENCH_")]
        + [".venv/bin/python benchmarks/programme.py"]
    )
    ensure_services()
    env_full = production_env(DATABASE_URL)
    env_small = production_env(SMALL_DATABASE_URL)
    this = [PY, str(Path(__file__).resolve())]
    # 1. data sets
    for env, scale in ((env_full, "full"), (env_small, "small")):
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([*this, "seed", scale], env)
    seeded = run(
        [*this, "describe"], env_full, capture_output=True, text=True
    ).stdout.strip()
    # the project's static files (fingerprinted, compressed: the manifest
    # is needed to render the pages)
    if not (STATIC_ROOT / "staticfiles.json").exists():
        run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env_full)
    # 2. queries, in-process, without the page cache (what a miss costs)
    dump = VAR / "bench-pages"
    shutil.rmtree(dump, ignore_errors=True)
    queries = {}
    for env, scale in ((env_full, "full"), (env_small, "small")):
        env = {
            **env,
            "PUBLIC_CACHE_SECONDS": "0",
            "TWO_FACTOR_REQUIRED": "False",
            "CACHE_URL": "locmemcache://bench",
        }
        queries[scale] = subprocess_json(
            this + ["queries"] + (["--dump", str(dump)] if scale == "full" else []),
            env,
        )
        print(f"queries ({scale}): " + json.dumps(queries[scale]))
    # 3. static files: the project's, then a copy of each page, same size
    shutil.rmtree(STATIC_ROOT / "bench", ignore_errors=True)
    (STATIC_ROOT / "bench").mkdir(parents=True)
    for name in LOADED:
        shutil.copy(dump / f"{name}.html", STATIC_ROOT / "bench" / f"{name}.html")
    # 4. the production stack, then wrk
    processes = start_stack(env_full)
    load, weights = {}, {}
    try:
        wait_for("/healthz")
        for name in LOADED:
            url = queries["full"]["pages"][name]["url"]
            for _ in range(3):  # the first fills the cache, in each worker
                status, headers, body = fetch(url)
                assert status == 200, (url, status)
            load[name] = {"bytes": len(body), "url": url}
            print(f"{name}: {len(body):,} bytes, ETag {headers.get('ETag')}")
        for name in LOADED:
            for c in CONNECTIONS:
                page = wrk(load[name]["url"], c)
                static = wrk(f"/static/bench/{name}.html", c)
                load[name][c] = {"page": page, "static": static}
                print(f"wrk {c} {name}: page {page}, static {static}")
        for name in LOADED:
            weights[name] = weigh(load[name]["url"])
            print(f"weight {name}: " + json.dumps(weights[name]))
    finally:
        stop_stack(processes)
        shutil.rmtree(STATIC_ROOT / "bench", ignore_errors=True)
    # 5. documents
    docs = documents(skip=os.environ.get("BENCH_SKIP_DOCUMENTS") == "1")
    load_end = float(Path("/proc/loadavg").read_text().split()[0])
    speeds = (speed_start, speed.reference_cpu_ms())
    rows = build_rows(seeded, queries, load, weights, docs)
    print_table(rows)
    print(speed.describe(*speeds))
    write_markdown(
        rows,
        command,
        started,
        time.perf_counter() - clock,
        (load_start, load_end),
        weights,
        speeds,
    )


def describe() -> None:
    django_setup()
    from applications.models import Candidacy, Wave
    from challenges.models import Challenge, Objective, ProgressReport
    from reviews.models import Review
    from territories.models import Territory

    print(
        ", ".join(
            f"{model.objects.count():,} {label}"
            for model, label in [
                (Territory, "territories"),
                (Wave, "waves"),
                (Candidacy, "candidacies"),
                (Review, "reviews"),
                (Challenge, "challenges"),
                (Objective, "objectives"),
                (ProgressReport, "progress reports"),
            ]
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="step")
    sub.add_parser("seed").add_argument("scale", choices=sorted(SCALES))
    sub.add_parser("queries").add_argument("--dump")
    sub.add_parser("describe")
    options = parser.parse_args()
    if options.step == "seed":
        seed(options.scale)
    elif options.step == "queries":
        count_queries(options.dump)
    elif options.step == "describe":
        describe()
    else:
        main()
