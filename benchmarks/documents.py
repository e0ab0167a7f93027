"""Benchmark of PDF document generation (certificates and the wave report).

Measures, in one run, in a database of its own (``var/bench-documents.sqlite3``
unless ``DATABASE_URL`` is set) and a media folder of its own
(``var/bench-media/``):

1. one label certificate through the project (``render_certificate``:
   template, QR code, restricted URL fetcher, storage, database) against bare
   WeasyPrint on the very same HTML with its default fetcher;
2. 500 certificates queued with ``request_certificate`` and rendered by a real
   Celery worker (``--pool prefork --concurrency 2``), certificates per second;
3. the peak memory of that worker, per process;
4. the committee's wave report over 200 reviewed candidacies.

It prints a table (figure, value, target, met) and writes it, with the
machine and the command, to ``docs/benchmarks/documents.md`` (one section per
database and broker: a run replaces its own section only).

    .venv/bin/python benchmarks/documents.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frenchimpact_bench \\
        .venv/bin/python benchmarks/documents.py

The broker is the project's default, kombu's file-system broker, in a fresh
folder (``var/bench-broker/``), unless ``CELERY_BROKER_URL`` is set (Redis);
the tasks go to a queue of their own, ``bench-documents``.
A PostgreSQL database named in ``DATABASE_URL`` is created when missing.
"""

import os
import shutil
import sys
from pathlib import Path

sys.stdout.reconfigure(line_buffering=True)  # progress shows through a pipe too
ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
sys.path.insert(0, str(ROOT))

DATABASE_URL_GIVEN = os.environ.get("DATABASE_URL", "")
BROKER_URL_GIVEN = os.environ.get("CELERY_BROKER_URL", "")
MEDIA_DIR = VAR / "bench-media"
BROKER_DIR = VAR / "bench-broker"
WORKER_LOG = VAR / "bench-documents-worker.log"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frenchimpact.settings")
# measured as in production even when run by hand in development: a worker
# in DEBUG keeps every SQL query it makes in memory
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'bench-documents.sqlite3'}")
os.environ.setdefault(
    "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# never a developer's (or production's) media or broker: the benchmark's own,
# emptied at each run; the worker inherits the same environment
os.environ["MEDIA_ROOT"] = str(MEDIA_DIR)
os.environ["EMAIL_URL"] = "consolemail://"
# a queue of its own: on a shared broker (Redis), no other worker (a
# developer's, a test run's) takes the benchmark's tasks, nor it theirs
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = "bench-documents"
if not BROKER_URL_GIVEN or BROKER_URL_GIVEN == "filesystem://":
    # emptied; the settings make its folders again
    shutil.rmtree(BROKER_DIR, ignore_errors=True)
    os.environ["CELERY_BROKER_FOLDER"] = str(BROKER_DIR)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

# WeasyPrint and fontTools log every step at INFO: silence them here (in both
# measured paths alike); the worker keeps the project's logging
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import zlib  # noqa: E402
from decimal import Decimal  # noqa: E402

import celery  # noqa: E402
import speed  # noqa: E402  benchmarks/speed.py, beside this script
import weasyprint  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from applications.enums import CandidacyState, WaveStatus  # noqa: E402
from applications.models import Call, Candidacy, Criterion, Wave  # noqa: E402
from frenchimpact.enums import DocumentStatus  # noqa: E402
from frenchimpact.pdf import render_pdf  # noqa: E402
from frenchimpact.text import fold  # noqa: E402
from reviews.enums import ConflictStatus, Recommendation, ReviewState  # noqa: E402
from reviews.models import Assignment, Review, Score, WaveReport  # noqa: E402
from reviews.reports import render_wave_report, wave_report_context  # noqa: E402
from territories.enums import OrganisationKind, TerritoryKind  # noqa: E402
from territories.models import (  # noqa: E402
    Certificate,
    Department,
    Label,
    Organisation,
    Territory,
)
from territories.services import (  # noqa: E402
    CERTIFICATE_STYLESHEETS,
    certificate_html,
    render_certificate,
    request_certificate,
    sync_geography,
)

CERTIFICATE_RUNS = 30
WARM_UP = 3
QUEUED_CERTIFICATES = 500
WORKER_CONCURRENCY = 2
WORKER_TIMEOUT = 360  # seconds to wait for the 500 before giving up
CANDIDACIES = 200
REPORT_RUNS = 3
SAMPLE_EVERY = 0.2  # seconds between two memory samples
PREFIX = "TFI-DOC"  # numbers and references of the benchmark's rows
TARGETS = {"ratio": 1.3, "rate": 30.0, "rss": 400.0, "report": 3.0}
MARKDOWN = ROOT / "docs" / "benchmarks" / "documents.md"
LOAD_AT_START = Path("/proc/loadavg").read_text()[:14]
SPEED_AT_START = speed.reference_cpu_ms()


# --- Database ----------------------------------------------------------------------


def ensure_postgres_database():
    """Create the PostgreSQL database of ``DATABASE_URL`` if it is missing."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    ) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"]))
            )
            print(f"created PostgreSQL database {db['NAME']}")


def database_description() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        name = Path(settings.DATABASES["default"]["NAME"])
        try:
            shown = name.relative_to(ROOT)
        except ValueError:
            shown = name
        return f"SQLite {sqlite3.sqlite_version} (WAL, `{shown}`)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    name = settings.DATABASES["default"]["NAME"]
    return f"PostgreSQL {version.split()[0]} (`{name}`)"


# --- Seeding -----------------------------------------------------------------------


TOWNS = [
    "Lons-le-Saunier",
    "Figeac",
    "Aurillac",
    "Guéret",
    "Saint-Brieuc",
    "Albi",
    "Mâcon",
    "Épinal",
    "Privas",
    "Rodez",
    "Cahors",
    "Vesoul",
    "Laval",
    "Alençon",
    "Dole",
    "Saint-Lô",
    "Montbrison",
    "Foix",
    "Tulle",
    "Bar-le-Duc",
]
KIND_NAMES = {
    TerritoryKind.REGION: "Région",
    TerritoryKind.DEPARTEMENT: "Département",
    TerritoryKind.METROPOLE: "Métropole",
    TerritoryKind.COMMUNAUTE_URBAINE: "Communauté urbaine",
    TerritoryKind.COMMUNAUTE_AGGLOMERATION: "Agglomération",
    TerritoryKind.COMMUNAUTE_COMMUNES: "Communauté de communes",
    TerritoryKind.EPT: "Établissement public territorial",
    TerritoryKind.PAYS: "Pays",
    TerritoryKind.OTHER: "Territoire",
}


def territory_name(n: int, kind: str, department) -> str:
    town = TOWNS[n % len(TOWNS)]
    return f"{KIND_NAMES[kind]} de {town} et du {department.name} n° {n}"


@transaction.atomic
def seed_certificates():
    """500 labelled territories with their lead organisation in a wave of
    their own, plus one more label for the single-certificate measure."""
    sync_geography()
    call, _created = Call.objects.get_or_create(
        slug="ami-bench-documents",
        defaults={"name": "AMI (benchmark)", "opened_on": dt.date(2018, 7, 1)},
    )
    now = timezone.now()
    wave, _created = Wave.objects.get_or_create(
        call=call,
        number=1,
        defaults={
            "name": "Vague 1",
            "opens_at": now - dt.timedelta(days=400),
            "closes_at": now - dt.timedelta(days=300),
            "status": WaveStatus.DECIDED,
            "decisions_published_on": dt.date(2019, 3, 22),
        },
    )
    wanted = QUEUED_CERTIFICATES + 1
    if Label.objects.filter(wave=wave).count() >= wanted:
        return wave
    departments = list(
        Department.objects.exclude(code__startswith="97").order_by("code")
    )
    kinds = list(TerritoryKind.values)
    organisation_kinds = [OrganisationKind.ASSOCIATION, OrganisationKind.COOPERATIVE]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Clus'Ter {TOWNS[n % len(TOWNS)]} {n}",
            kind=organisation_kinds[n % 2],
            town=TOWNS[n % len(TOWNS)],
        )
        for n in range(wanted)
    )
    territories = []
    for n in range(wanted):
        kind = kinds[n % len(kinds)]
        name = territory_name(n, kind, departments[n % len(departments)])
        territories.append(
            Territory(
                name=name,
                slug=f"bench-documents-{n:04d}",
                kind=kind,
                summary=f"Territoire de démonstration numéro {n}.",
                lead_organisation=organisations[n],
                search_text=fold(name),
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
        through_r(territory=t, region_id=departments[n % len(departments)].region_id)
        for n, t in enumerate(territories)
    )
    Label.objects.bulk_create(
        Label(
            territory=territory,
            wave=wave,
            number=f"{PREFIX}-{n:05d}",
            awarded_on=dt.date(2019, 3, 22),
            valid_until=dt.date(2022, 3, 21),
        )
        for n, territory in enumerate(territories)
    )
    return wave


@transaction.atomic
def seed_wave_report(call_wave):
    """A wave under review: 200 candidacies, each with 2 or 3 submitted
    reviews scored on the wave's five-criterion grid."""
    now = timezone.now()
    wave, created = Wave.objects.get_or_create(
        call=call_wave.call,
        number=2,
        defaults={
            "name": "Vague 2",
            "opens_at": now - dt.timedelta(days=90),
            "closes_at": now - dt.timedelta(days=30),
            "status": WaveStatus.UNDER_REVIEW,
        },
    )
    if not created and wave.candidacies.count() >= CANDIDACIES:
        return wave
    rng = random.Random(2019)  # noqa: S311 - reproducible data, not secrets
    grid = [
        ("Écosystème de l'économie sociale et solidaire", 30, 5),
        ("Gouvernance et coopération", 20, 5),
        ("Défis et objectifs mesurables", 20, 5),
        ("Moyens humains et financiers", 15, 5),
        ("Ouverture aux entreprises engagées", 15, 10),
    ]
    criteria = Criterion.objects.bulk_create(
        Criterion(wave=wave, title=t, weight=Decimal(w), scale_max=s, position=i)
        for i, (t, w, s) in enumerate(grid)
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"equipe{n}@bench-documents.example.org",
                first_name="Camille",
                last_name=f"Porteuse {n}",
                role=Role.APPLICANT,
                password=make_password(None),
            )
            for n in range(CANDIDACIES)
        ]
        + [
            User(
                email=f"instructeur{n}@bench-documents.example.org",
                first_name="Dominique",
                last_name=f"Instructeur {n}",
                role=Role.REVIEWER,
                password=make_password(None),
            )
            for n in range(24)
        ]
        + [
            User(
                email="staff@bench-documents.example.org",
                first_name="Claude",
                last_name="Haut-Commissariat",
                role=Role.STAFF,
                is_staff=True,
                password=make_password(None),
            )
        ]
    )
    applicants, reviewers, staff = users[:CANDIDACIES], users[CANDIDACIES:-1], users[-1]
    departments = list(Department.objects.select_related("region").order_by("code"))
    territories = list(Territory.objects.filter(slug__startswith="bench-documents-"))
    kinds = list(TerritoryKind.values)
    candidacies = []
    for n in range(CANDIDACIES):
        department = departments[rng.randrange(len(departments))]
        kind = kinds[n % len(kinds)]
        candidacies.append(
            Candidacy(
                wave=wave,
                reference=f"{PREFIX}-V2-{n:04d}",
                state=CandidacyState.UNDER_REVIEW,
                # one in ten: a labelled territory applying again
                territory=territories[n] if n % 10 == 0 else None,
                territory_name=territory_name(1000 + n, kind, department),
                territory_kind=kind,
                region_codes=[department.region.code],
                department_codes=[department.code],
                perimeter="Quatre intercommunalités autour de la ville-centre.",
                lead_name=f"Pôle territorial de coopération économique {n}",
                lead_kind=OrganisationKind.ASSOCIATION,
                lead_town=TOWNS[n % len(TOWNS)],
                diagnosis="Un écosystème riche d'associations et de coopératives.",
                governance="Un comité de pilotage mensuel.",
                resources="Deux personnes à temps plein.",
                submitted_at=now - dt.timedelta(days=35),
                submission_count=1,
                created_by=applicants[n],
            )
        )
    candidacies = Candidacy.objects.bulk_create(candidacies)
    assignments = []
    for candidacy in candidacies:
        for reviewer in rng.sample(reviewers, rng.choice([2, 3])):
            assignments.append(
                Assignment(
                    candidacy=candidacy,
                    reviewer=reviewer,
                    assigned_by=staff,
                    conflict_status=ConflictStatus.NONE,
                    declared_at=now - dt.timedelta(days=25),
                )
            )
    assignments = Assignment.objects.bulk_create(assignments)
    recommendations = list(Recommendation.values)
    reviews = Review.objects.bulk_create(
        Review(
            assignment=assignment,
            state=ReviewState.SUBMITTED,
            recommendation=rng.choice(recommendations),
            comment="Un dossier solide ; la gouvernance reste à préciser.",
            version=2,
            submitted_at=now - dt.timedelta(days=rng.randrange(3, 20)),
        )
        for assignment in assignments
    )
    Score.objects.bulk_create(
        Score(
            review=review,
            criterion=criterion,
            value=rng.randint(1, criterion.scale_max),
            comment="Des acteurs nombreux et engagés." if rng.random() < 0.3 else "",
            shared=rng.random() < 0.5,
        )
        for review in reviews
        for criterion in criteria
    )
    return wave


def reset_documents(wave, report_wave):
    """Forget the documents of earlier runs: their rows and their files."""
    Certificate.objects.filter(label__number__startswith=PREFIX).delete()
    WaveReport.objects.filter(wave=report_wave).delete()
    shutil.rmtree(MEDIA_DIR, ignore_errors=True)
    MEDIA_DIR.mkdir(parents=True)


# --- Helpers -----------------------------------------------------------------------


def p90(values):
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams too) inflated."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(match[1]))
    return b"\n".join(parts)


def pdf_fonts(pdf: bytes) -> set[str]:
    """Names of the fonts a PDF embeds, without their subset prefix."""
    found = re.findall(rb"/FontName\s*/([A-Za-z0-9+_.-]+)", pdf_objects(pdf))
    return {name.decode().split("+")[-1] for name in found}


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_objects(pdf)))


def bare_document(html: str, stylesheets) -> tuple[str, str, list[str]]:
    """The same document for bare WeasyPrint: the HTML, and the text of each
    stylesheet the project parses, its ``url()``s (relative to the static
    file) rewritten to the ``file://`` URLs of the very files the project's
    fetcher reads; WeasyPrint's default fetcher loads them. Returns (html,
    base_url, stylesheet texts)."""
    import posixpath

    from weasyprint.urls import path2url

    def static_file(name: str) -> str:
        path = finders.find(name)
        if not path:
            raise SystemExit(f"static file not found: {name}")
        return path

    texts = []
    for name in stylesheets:
        folder = posixpath.dirname(name)

        def absolute(match, folder=folder):
            target = posixpath.normpath(posixpath.join(folder, match[1]))
            return f'url("{path2url(static_file(target))}")'

        text = Path(static_file(name)).read_text(encoding="utf-8")
        texts.append(re.sub(r"""url\(["']?([^"')]+)["']?\)""", absolute, text))
    return html, path2url(str(ROOT)), texts


def bench_label():
    return Label.objects.select_related("territory__lead_organisation", "wave").get(
        number=f"{PREFIX}-{QUEUED_CERTIFICATES:05d}"
    )


class CpuMeter:
    """CPU time the other processes of the machine took during a phase: the
    machine may be shared, and a busy neighbour slows every figure down."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pids=()):
        self.pids = pids  # a callable or a list: the worker's processes
        self.start = self.read()

    @staticmethod
    def busy() -> int:
        fields = [int(v) for v in Path("/proc/stat").read_text().split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        return user + nice + system + irq + softirq + steal

    @staticmethod
    def own(pid) -> int:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime
        return 0

    def read(self):
        pids = self.pids() if callable(self.pids) else self.pids
        ours = sum(self.own(pid) for pid in {os.getpid(), *pids})
        return time.monotonic(), self.busy(), ours

    def share(self) -> float:
        """Share of the machine's CPUs the other processes used, 0 to 1."""
        (t0, busy0, ours0), (t1, busy1, ours1) = self.start, self.read()
        others = max(0, (busy1 - busy0) - (ours1 - ours0)) / self.TICK
        return others / max(1e-9, (t1 - t0) * (os.cpu_count() or 1))


# --- 1. One certificate: project against bare WeasyPrint -----------------------------


def measure_certificate(results):
    label = bench_label()
    total = WARM_UP + CERTIFICATE_RUNS
    ids = [
        Certificate.objects.create(
            label=label, language="fr", inputs_hash=f"bench-{uuid.uuid4().hex}"
        ).pk
        for _ in range(total)
    ]
    html = certificate_html(label, "fr")
    bare, base_url, css_texts = bare_document(html, CERTIFICATE_STYLESHEETS)

    def project(pk):
        # fetched as the task fetches it, outside the timing
        certificate = Certificate.objects.select_related(
            "label__territory__lead_organisation", "label__wave"
        ).get(pk=pk)
        start = time.perf_counter()
        render_certificate(certificate=certificate)
        return time.perf_counter() - start

    def bare_weasyprint():
        # as WeasyPrint's documentation shows it: a font configuration for
        # the document, given to the stylesheets that declare @font-face
        start = time.perf_counter()
        fonts = FontConfiguration()
        pdf = weasyprint.HTML(string=bare, base_url=base_url).write_pdf(
            stylesheets=[
                weasyprint.CSS(string=text, font_config=fonts) for text in css_texts
            ],
            font_config=fonts,
        )
        return time.perf_counter() - start, pdf

    def project_fetcher():  # render_pdf alone: the restricted fetcher, no DB
        start = time.perf_counter()
        render_pdf(html, stylesheets=CERTIFICATE_STYLESHEETS)
        return time.perf_counter() - start

    def template_and_qr():
        start = time.perf_counter()
        certificate_html(label, "fr")
        return time.perf_counter() - start

    timings = {"project": [], "bare": [], "render_pdf": [], "template": []}
    bare_pdf = b""
    meter = CpuMeter()
    for run, pk in enumerate(ids):  # interleaved, so that drift hits both alike
        t_project = project(pk)
        t_bare, bare_pdf = bare_weasyprint()
        t_render = project_fetcher()
        t_template = template_and_qr()
        if run >= WARM_UP:
            timings["project"].append(t_project)
            timings["bare"].append(t_bare)
            timings["render_pdf"].append(t_render)
            timings["template"].append(t_template)

    others = meter.share()
    rendered = Certificate.objects.get(pk=ids[-1])
    assert rendered.status == DocumentStatus.READY, rendered.status
    with rendered.file.open("rb") as handle:
        project_pdf = handle.read()
    fonts = {"project": pdf_fonts(project_pdf), "bare": pdf_fonts(bare_pdf)}
    for which, names in fonts.items():
        if not any(name.startswith("Marianne") for name in names):
            raise SystemExit(f"the {which} PDF embeds no Marianne font: {names}")
    sizes = {"project": len(project_pdf), "bare": len(bare_pdf)}
    if abs(sizes["project"] - sizes["bare"]) > 0.1 * sizes["bare"]:
        raise SystemExit(f"the two PDFs differ too much to compare: {sizes}")

    ms = {k: [v * 1000 for v in values] for k, values in timings.items()}
    median = {k: statistics.median(v) for k, v in ms.items()}
    ratio = median["project"] / median["bare"]
    results["certificate"] = {
        "median": median,
        "p90": {k: p90(v) for k, v in ms.items()},
        "ratio": ratio,
        "sizes": sizes,
        "fonts": {k: sorted(v) for k, v in fonts.items()},
        "others": others,
    }
    print(
        f"certificate: project {median['project']:.1f} ms, bare WeasyPrint "
        f"{median['bare']:.1f} ms, ratio {ratio:.2f} "
        f"(PDFs {sizes['project']:,} / {sizes['bare']:,} bytes, fonts "
        f"{', '.join(sorted(fonts['project']))})"
    )


# --- 4. Wave report ------------------------------------------------------------------


def measure_wave_report(results, wave):
    WaveReport.objects.filter(wave=wave).delete()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        context = wave_report_context(wave)
        context_seconds = time.perf_counter() - start
    reviews_per = [row["figures"].count for row in context["rows"]]
    timings = []
    pdf_size = 0
    meter = CpuMeter()
    for run in range(REPORT_RUNS + 1):  # the first one warms up
        report = WaveReport.objects.create(
            wave=wave, inputs_hash=f"bench-{uuid.uuid4().hex}"
        )
        report = WaveReport.objects.select_related("wave").get(pk=report.pk)
        start = time.perf_counter()
        report = render_wave_report(report=report)
        elapsed = time.perf_counter() - start
        if run:
            timings.append(elapsed)
        pdf_size = report.file.size
    with report.file.open("rb") as handle:
        pages = pdf_pages(handle.read())
    results["wave_report"] = {
        "median": statistics.median(timings),
        "runs": timings,
        "context_seconds": context_seconds,
        "queries": len(queries),
        "candidacies": len(context["rows"]),
        "reviews": sum(reviews_per),
        "size": pdf_size,
        "pages": pages,
        "others": meter.share(),
    }
    print(
        f"wave report: {len(context['rows'])} candidacies, {sum(reviews_per)} "
        f"reviews, median {statistics.median(timings):.2f} s "
        f"(context {context_seconds * 1000:.0f} ms, {len(queries)} queries), "
        f"{pdf_size:,} bytes"
    )


# --- 2 and 3. 500 certificates through a real worker ------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def status_kib(pid: int, field: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


class MemorySampler(threading.Thread):
    """Samples the RSS of the worker and of its pool processes."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak: dict[int, int] = {}  # KiB per process
        self.total_peak = 0
        self.samples = 0
        self.children: set[int] = set()
        self.stop = threading.Event()

    def sample(self):
        children = children_of(self.pid)
        self.children.update(children)
        total = 0
        for pid in [self.pid, *children]:
            rss = status_kib(pid, "VmRSS")
            if rss is None:
                continue
            total += rss
            self.peak[pid] = max(self.peak.get(pid, 0), rss)
        self.total_peak = max(self.total_peak, total)
        self.samples += 1

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_EVERY)


def start_worker() -> subprocess.Popen:
    WORKER_LOG.unlink(missing_ok=True)
    worker = subprocess.Popen(  # the project's own worker
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "frenchimpact",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(WORKER_CONCURRENCY),
            "--loglevel",
            "INFO",
            "--logfile",
            str(WORKER_LOG),
            "--hostname",
            f"bench-documents-{os.getpid()}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if WORKER_LOG.exists() and " ready." in WORKER_LOG.read_text():
            # the pool processes are forked before "ready"
            while len(children_of(worker.pid)) < WORKER_CONCURRENCY:
                time.sleep(0.05)
            return worker
        if worker.poll() is not None:
            raise SystemExit(f"the worker died:\n{WORKER_LOG.read_text()[-3000:]}")
        time.sleep(0.1)
    raise SystemExit("the worker was not ready after 60 s")


def stop_worker(worker: subprocess.Popen):
    """Warm shutdown (SIGTERM, then wait); killed if it does not stop."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.pid, signal.SIGKILL)  # its own group: its pool too
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.wait(timeout=10)


def measure_worker(results, wave):
    labels = list(
        Label.objects.filter(wave=wave, number__startswith=PREFIX)
        .exclude(number=f"{PREFIX}-{QUEUED_CERTIFICATES:05d}")
        .select_related("territory__lead_organisation", "wave")
        .order_by("number")
    )
    assert len(labels) == QUEUED_CERTIFICATES, len(labels)
    worker = start_worker()
    sampler = MemorySampler(worker.pid)
    try:
        sampler.start()
        idle = status_kib(worker.pid, "VmRSS")
        meter = CpuMeter(lambda: [worker.pid, *children_of(worker.pid)])
        wall_start = timezone.now()
        start = time.perf_counter()
        # outside any transaction: each request commits, its on-commit sends
        ids = [request_certificate(label=label).pk for label in labels]
        queued = time.perf_counter() - start
        rows = Certificate.objects.filter(pk__in=ids)
        ready = failed = 0
        while time.perf_counter() - start < WORKER_TIMEOUT:
            counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
            ready = counts.get(DocumentStatus.READY, 0)
            failed = counts.get(DocumentStatus.FAILED, 0)
            if ready + failed >= len(ids) or worker.poll() is not None:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        sampler.sample()  # one last look, before the pool goes away
        others = meter.share()
        hwm = {
            pid: status_kib(pid, "VmHWM")
            for pid in [worker.pid, *children_of(worker.pid)]
        }
    finally:
        sampler.stop.set()
        stop_worker(worker)
    log = WORKER_LOG.read_text() if WORKER_LOG.exists() else ""
    errors = list(
        Certificate.objects.filter(pk__in=ids, status=DocumentStatus.FAILED)
        .values_list("error", flat=True)
        .distinct()[:5]
    )
    # the steady rate: from the first certificate ready to the last
    # when the workers saved the first and the last certificate (same clock)
    span = Certificate.objects.filter(
        pk__in=ids, status=DocumentStatus.READY
    ).aggregate(first=Min("updated_at"), last=Max("updated_at"))
    first = last = None
    if span["first"]:
        first = (span["first"] - wall_start).total_seconds()
        last = (span["last"] - wall_start).total_seconds()
    steady = (ready - 1) / (last - first) if ready > 1 and last > first else None
    kib = 1024
    child_pids = [pid for pid in hwm if pid != worker.pid]
    results["worker"] = {
        "ready": ready,
        "failed": failed,
        "total": len(ids),
        "seconds": elapsed,
        "queue_seconds": queued,
        "rate": ready / elapsed,
        "steady_rate": steady,
        "first_ready": first,
        "timed_out": ready + failed < len(ids),
        "locked": log.count("database is locked"),
        "task_seconds": [
            float(t)
            for t in re.findall(
                r"render_certificate\[[^\]]+\] succeeded in ([0-9.]+)s", log
            )
        ],
        "errors": errors,
        "main_peak": sampler.peak.get(worker.pid, 0) / kib,
        "main_idle": (idle or 0) / kib,
        "child_peak": {pid: sampler.peak.get(pid, 0) / kib for pid in child_pids},
        "child_hwm": {pid: (hwm[pid] or 0) / kib for pid in child_pids},
        "main_hwm": (hwm[worker.pid] or 0) / kib,
        "total_peak": sampler.total_peak / kib,
        "samples": sampler.samples,
        "others": others,
    }
    print(
        f"worker: {ready}/{len(ids)} ready ({failed} failed) in {elapsed:.1f} s "
        f"(queueing {queued:.1f} s): {ready / elapsed:.1f} certificates/s"
    )


# --- Report --------------------------------------------------------------------------


def yes_no(ok):
    return "yes" if ok else "no"


def table_rows(results):
    rows = [
        ("Database / broker", f"{database_description()} / {broker_scheme()}", "", "")
    ]
    c = results["certificate"]
    med, high = c["median"], c["p90"]
    rows += [
        (
            f"Certificate, project path (`render_certificate`), "
            f"{CERTIFICATE_RUNS} runs",
            f"median {med['project']:.0f} ms, p90 {high['project']:.0f} ms",
            "",
            "",
        ),
        (
            "Certificate, bare WeasyPrint (default fetcher, same HTML)",
            f"median {med['bare']:.0f} ms, p90 {high['bare']:.0f} ms",
            "",
            "",
        ),
        (
            "Certificate, ratio project / bare (medians)",
            f"{c['ratio']:.2f}",
            f"≤ {TARGETS['ratio']}",
            yes_no(c["ratio"] <= TARGETS["ratio"]),
        ),
        (
            "  of which `render_pdf` alone (restricted fetcher, no DB)",
            f"median {med['render_pdf']:.0f} ms, p90 {high['render_pdf']:.0f} ms",
            "",
            "",
        ),
        (
            "  of which template + QR code",
            f"median {med['template']:.1f} ms",
            "",
            "",
        ),
    ]
    w = results["worker"]
    done = f"{w['ready']}/{w['total']} ready"
    if w["failed"]:
        done += f", {w['failed']} failed"
    if w["timed_out"]:
        done += f", stopped after {WORKER_TIMEOUT} s"
    rows += [
        (
            f"{w['total']} certificates, Celery prefork ×{WORKER_CONCURRENCY}, "
            "queueing to all ready",
            f"{w['rate']:.1f} /s ({w['seconds']:.1f} s, {done})",
            f"≥ {TARGETS['rate']:.0f} /s",
            yes_no(w["rate"] >= TARGETS["rate"] and not w["timed_out"]),
        ),
        (
            "  steady rate (first ready to last ready)",
            f"{w['steady_rate']:.1f} /s" if w["steady_rate"] else "—",
            "",
            "",
        ),
        (
            "  task time in the worker (Celery's « succeeded in »)",
            (
                f"median {statistics.median(w['task_seconds']) * 1000:.0f} ms, "
                f"p90 {p90(w['task_seconds']) * 1000:.0f} ms"
            )
            if len(w["task_seconds"]) > 1
            else "—",
            "",
            "",
        ),
    ]
    worst = max(w["child_hwm"].values(), default=0)
    per_child = ", ".join(f"{hwm:.0f}" for _pid, hwm in sorted(w["child_hwm"].items()))
    rows += [
        (
            "Worker pool process, peak RSS (VmHWM) each",
            f"{per_child} MiB (sampled peak "
            + ", ".join(f"{v:.0f}" for _p, v in sorted(w["child_peak"].items()))
            + " MiB)",
            f"≤ {TARGETS['rss']:.0f} MiB",
            yes_no(worst <= TARGETS["rss"] and bool(w["child_hwm"])),
        ),
        (
            "Worker main process, peak RSS",
            f"{w['main_peak']:.0f} MiB (VmHWM {w['main_hwm']:.0f} MiB)",
            "",
            "",
        ),
        (
            "Worker, total peak RSS (main + pool, sampled every 0.2 s)",
            f"{w['total_peak']:.0f} MiB",
            "",
            "",
        ),
    ]
    r = results["wave_report"]
    rows.append(
        (
            f"Wave report, {r['candidacies']} candidacies / {r['reviews']} reviews "
            f"(`render_wave_report`, median of {REPORT_RUNS})",
            f"{r['median']:.2f} s ({r['pages']} pages, {r['size'] / 1024:.0f} KiB)",
            f"< {TARGETS['report']:.0f} s",
            yes_no(r["median"] < TARGETS["report"]),
        )
    )
    rows.append(
        (
            "  of which `wave_report_context`",
            f"{r['context_seconds'] * 1000:.0f} ms, {r['queries']} SQL queries",
            "",
            "",
        )
    )
    return rows


def print_table(rows):
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print()
    print(f"{'figure':<{width}}  {'value':<{value_width}}  {'target':<10}  met")
    for figure, value, target, met in rows:
        print(
            f"{figure:<{width}}  {value:<{value_width}}  {target or '—':<10}  "
            f"{met or '—'}"
        )


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    count = len(re.findall(r"^processor\s*:", cpuinfo, re.M))
    meminfo = Path("/proc/meminfo").read_text()
    ram_kib = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M)[1])
    import kombu

    return {
        "cpu": f"{models[0] if models else platform.processor()} × {count}",
        "ram": f"{ram_kib / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "django": django.get_version(),
        "celery": f"{celery.__version__} (kombu {kombu.__version__})",
    }


def broker_scheme() -> str:
    return settings.CELERY_BROKER_URL.split(":", 1)[0]


def broker_polling_interval() -> float | None:
    """Seconds the file-system broker sleeps when it may not take a message."""
    if broker_scheme() != "filesystem":
        return None
    from kombu.transport.filesystem import Transport

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return float(options.get("polling_interval", Transport.polling_interval))


def broker_description() -> str:
    url = settings.CELERY_BROKER_URL
    if url == "filesystem://":
        return "kombu file-system broker (the project's default), `var/bench-broker/`"
    return re.sub(r"//[^@/]*@", "//***@", url)


def command() -> str:
    env = []
    for name, value in (
        ("DATABASE_URL", DATABASE_URL_GIVEN),
        ("CELERY_BROKER_URL", BROKER_URL_GIVEN),
    ):
        if value:
            masked = re.sub(r"(//[^:/@]*):[^@/]*@", r"\1:***@", value)
            env.append(f"{name}={masked}")
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(ROOT)
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(ROOT)
    return " ".join([*env, str(python), str(script), *sys.argv[1:]])


def notes(results) -> list[str]:
    c, w, r = results["certificate"], results["worker"], results["wave_report"]
    found = []
    found.append(
        f"Certificates: {WARM_UP} warm-up runs then {CERTIFICATE_RUNS} measured, "
        "the project path, bare WeasyPrint, `render_pdf` alone and the template "
        "interleaved in each run. The project path renders a fresh `Certificate` "
        "row each time (a ready one is not rendered again) and includes the "
        "template, the segno QR code, the restricted URL fetcher "
        "(`frenchimpact/pdf.py`) with the process's font configuration and "
        "parsed stylesheet, the storage save and the row update. Bare "
        "WeasyPrint renders the very same HTML and stylesheet "
        "(`static/documents/certificate.css`, as `weasyprint.CSS` from the same "
        "file) with its defaults: a new font configuration each time, the "
        "stylesheet parsed and its fonts decoded at each document. Both PDFs "
        f"embed {', '.join(c['fonts']['project'])} "
        f"({c['sizes']['project']:,} and {c['sizes']['bare']:,} bytes)."
    )
    worker_note = (
        f"Worker: `celery -A frenchimpact worker --pool prefork --concurrency "
        f"{WORKER_CONCURRENCY} --without-heartbeat --without-mingle "
        "--without-gossip` on a queue of its own (`bench-documents`), started "
        "before the clock; the time runs from the "
        f"first `request_certificate` (queueing took {w['queue_seconds']:.1f} s) "
        "until the database shows every certificate ready (polled every 0.2 s); "
        f"the first was ready after {w['first_ready'] or 0:.1f} s."
    )
    found.append(worker_note)
    poll = broker_polling_interval()
    if poll:
        found.append(
            f"The file-system broker sleeps {poll:g} s (kombu's default: the "
            "project sets no `polling_interval`) whenever the worker may not take "
            "another message. With a prefetch multiplier of 1 and late "
            f"acknowledgement the worker holds at most {WORKER_CONCURRENCY} "
            "unacknowledged messages, one per pool process, so a process that "
            "finishes a certificate waits for the end of that sleep before it "
            f"gets the next: at most {WORKER_CONCURRENCY / poll:.1f} certificates "
            "per second on this broker, whatever the CPU."
        )
    ms = c["median"]["project"]
    found.append(
        f"CPU bound: one certificate takes {ms:.0f} ms in-process "
        f"({c['median']['render_pdf']:.0f} ms of it in `render_pdf`, i.e. "
        f"WeasyPrint), so {WORKER_CONCURRENCY} pool processes on "
        f"{WORKER_CONCURRENCY} free cores would top out near "
        f"{WORKER_CONCURRENCY * 1000 / ms:.0f} certificates/s; reaching "
        f"{TARGETS['rate']:.0f}/s needs about "
        f"{TARGETS['rate'] * ms / 1000:.1f} cores' worth of rendering."
    )
    if connection.vendor == "sqlite":
        found.append(
            "SQLite is shared by the benchmark and the two pool processes; "
            + (
                f"the worker's log shows {w['locked']} « database is locked » errors. "
                if w["locked"]
                else "no « database is locked » error occurred in this run. "
            )
            + "Run it on PostgreSQL with `DATABASE_URL=postgres://postgres@"
            "127.0.0.1:5432/frenchimpact_bench` (the database is created if "
            "missing)."
        )
    if w["errors"]:
        found.append("Failed certificates: " + " | ".join(e[:200] for e in w["errors"]))
    found.append(
        f"Memory: VmRSS of the worker's main process and pool processes sampled "
        f"every {SAMPLE_EVERY} s ({w['samples']} samples), VmHWM of each read "
        f"when the last certificate was ready; idle main process "
        f"{w['main_idle']:.0f} MiB."
    )
    shares = {
        "certificates": c["others"],
        "wave report": r["others"],
        "worker": w["others"],
    }
    busy = ", ".join(f"{k} {v:.0%}" for k, v in shares.items())
    found.append(
        "Other processes on the machine (not the benchmark, not its worker) "
        f"used this share of the CPUs during each measure: {busy}; load "
        f"average {LOAD_AT_START} at the start, {results['load_end']} at the end."
        + (
            " The machine was shared while it ran: the figures are slower than "
            "on a quiet machine."
            if max(shares.values()) > 0.1
            else ""
        )
    )
    found.append(speed.describe(*results["speed"]))
    found.append(
        f"Wave report: {r['candidacies']} candidacies under review, "
        f"{r['reviews']} submitted reviews on a five-criterion grid, seeded with "
        "`bulk_create`; one warm-up then "
        + ", ".join(f"{t:.2f}" for t in r["runs"])
        + " s."
    )
    return found


def write_markdown(rows, results):
    section = f"run:{connection.vendor}:{broker_scheme()}"
    info = machine()
    lines = [
        f"<!-- {section} -->",
        f"## {database_description().split(' (')[0]}, {broker_scheme()} broker",
        "",
        f"Run on {timezone.localtime():%Y-%m-%d %H:%M %Z} with:",
        "",
        "```sh",
        command(),
        "```",
        "",
        f"- CPU: {info['cpu']}; RAM: {info['ram']}; {info['os']}",
        f"- Python {info['python']}, WeasyPrint {info['weasyprint']}, "
        f"Django {info['django']}, Celery {info['celery']}",
        f"- Database: {database_description()}",
        f"- Broker: {broker_description()}",
        f"- Settings: `DJANGO_ENV={settings.DJANGO_ENV}`, `DEBUG={settings.DEBUG}` "
        "(this process and the worker)",
        "",
        "| Figure | Value | Target | Met |",
        "| --- | --- | --- | --- |",
    ]
    for figure, value, target, met in rows:
        if figure.startswith("  "):
            figure = "↳ " + figure.strip()
        lines.append(f"| {figure} | {value} | {target or '—'} | {met or '—'} |")
    lines += ["", *[f"- {note}" for note in notes(results)], f"<!-- /{section} -->"]
    block = "\n".join(lines)

    header = (
        "# Benchmark: PDF documents\n\n"
        "Written by `benchmarks/documents.py` (see its docstring); each run "
        "replaces the section of its own database and broker. Figures are "
        "measured on the machine named in each section, never typed.\n"
    )
    sections = {}
    if MARKDOWN.exists():
        text = MARKDOWN.read_text()
        for match in re.finditer(r"<!-- (run:[^ ]+) -->.*?<!-- /\1 -->", text, re.S):
            sections[match[1]] = match[0]
    sections[section] = block
    MARKDOWN.parent.mkdir(parents=True, exist_ok=True)
    MARKDOWN.write_text(
        header + "".join(f"\n{sections[k]}\n" for k in sorted(sections))
    )
    print(f"\nwritten to {MARKDOWN.relative_to(ROOT)}")


def main():
    # a SIGTERM (or a Ctrl-C) still runs the finally that stops the worker
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_postgres_database()
    call_command("migrate", verbosity=0)
    print(
        f"database {database_description()}, broker {broker_description()}, "
        f"media {MEDIA_DIR.relative_to(ROOT)}/"
    )
    if connection.vendor == "sqlite":
        print(
            "note: SQLite is shared by this process and the worker's two pool "
            "processes; set DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
            "frenchimpact_bench to run on PostgreSQL."
        )
    start = time.perf_counter()
    wave = seed_certificates()
    report_wave = seed_wave_report(wave)
    reset_documents(wave, report_wave)
    print(f"seeded in {time.perf_counter() - start:.1f} s")

    results = {}
    measure_certificate(results)
    measure_wave_report(results, report_wave)
    measure_worker(results, wave)
    results["load_end"] = Path("/proc/loadavg").read_text()[:14]
    results["speed"] = (SPEED_AT_START, speed.reference_cpu_ms())

    rows = table_rows(results)
    print_table(rows)
    write_markdown(rows, results)


if __name__ == "__main__":
    main()
