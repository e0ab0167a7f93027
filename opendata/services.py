"""Regeneration of the open-data files (idempotent)."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import exports
from .models import Dataset

TERRITORIES = "territoires-labellises"
OBJECTIVES = "defis-objectifs"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]


def _files() -> list[tuple[str, str, callable]]:
    """(name, fingerprint, render) of every file, rendering deferred."""
    site = settings.SITE_URL
    territories = exports.territory_rows(site)
    objectives = exports.objective_rows()
    t_print = exports.fingerprint(territories)
    o_print = exports.fingerprint(objectives)
    t_fields, o_fields = exports.TERRITORY_FIELDS, exports.OBJECTIVE_FIELDS
    return [
        (f"{TERRITORIES}.csv", t_print, lambda: exports.to_csv(territories, t_fields)),
        (
            f"{TERRITORIES}.xlsx",
            t_print,
            lambda: exports.to_xlsx(territories, t_fields, "Territoires"),
        ),
        (f"{TERRITORIES}.json", t_print, lambda: exports.to_json(territories)),
        (f"{TERRITORIES}.geojson", t_print, lambda: exports.to_geojson(territories)),
        (
            f"{TERRITORIES}.schema.json",
            t_print,
            lambda: exports.table_schema(
                t_fields, "Territoires labellisés French Impact", "slug"
            ),
        ),
        (f"{OBJECTIVES}.csv", o_print, lambda: exports.to_csv(objectives, o_fields)),
        (f"{OBJECTIVES}.json", o_print, lambda: exports.to_json(objectives)),
        (
            f"{OBJECTIVES}.schema.json",
            o_print,
            lambda: exports.table_schema(
                o_fields, "Défis, projets et objectifs des territoires", "objectif_id"
            ),
        ),
    ]


def rebuild_open_data() -> list[str]:
    """Write the files whose rows changed; return their names.

    Running it twice writes nothing the second time. Each version is saved
    under a new name, then the row is switched and the old file removed
    after the commit.
    """
    current = {d.name: d for d in Dataset.objects.all()}
    written = []
    for name, print_, render in _files():
        dataset = current.get(name)
        if (
            dataset
            and dataset.fingerprint == print_
            and default_storage.exists(dataset.path)
        ):
            continue
        content = render()
        sha = hashlib.sha256(content).hexdigest()
        folder = settings.OPENDATA_FOLDER
        path = default_storage.save(f"{folder}/{sha[:16]}/{name}", ContentFile(content))
        old_path = dataset.path if dataset else None
        with transaction.atomic():
            Dataset.objects.update_or_create(
                name=name,
                defaults={
                    "path": path,
                    "content_type": _content_type(name),
                    "size": len(content),
                    "sha256": sha,
                    "fingerprint": print_,
                    "updated_at": timezone.now(),
                },
            )
        if old_path and old_path != path:
            transaction.on_commit(lambda p=old_path: default_storage.delete(p))
        written.append(name)
    return written
