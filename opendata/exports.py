"""The rows and files of the open data: labelled territories, and the
challenges' objectives with their progress. Public data only (what the
public pages show): no person, e-mail, candidacy, review or score."""

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from challenges.models import Objective
from challenges.selectors import public_challenges, standing_of, with_progress
from territories.models import Label, Territory

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: string, number, integer, date
    description: str


TERRITORY_FIELDS = [
    Field("slug", "string", "Identifiant stable du territoire"),
    Field("nom", "string", "Nom du territoire"),
    Field("nature", "string", "Nature du territoire (code)"),
    Field("codes_regions", "string", "Codes INSEE des régions, séparés par |"),
    Field("regions", "string", "Noms des régions, séparés par |"),
    Field(
        "codes_departements", "string", "Codes INSEE des départements, séparés par |"
    ),
    Field("departements", "string", "Noms des départements, séparés par |"),
    Field("codes_epci", "string", "Codes SIREN des EPCI, séparés par |"),
    Field("codes_communes", "string", "Codes INSEE des communes, séparés par |"),
    Field("latitude", "number", "Latitude (WGS 84)"),
    Field("longitude", "number", "Longitude (WGS 84)"),
    Field("structure_porteuse", "string", "Nom de la structure porteuse"),
    Field("commune_structure_porteuse", "string", "Commune de la structure porteuse"),
    Field("numero_label", "string", "Numéro du label le plus récent"),
    Field("statut_label", "string", "Statut du label (active, conditional)"),
    Field("vague", "integer", "Numéro de la vague de labellisation"),
    Field("date_labellisation", "date", "Date de labellisation"),
    Field("valable_jusqu_au", "date", "Fin de validité du label"),
    Field("url", "string", "Page publique du territoire"),
]

OBJECTIVE_FIELDS = [
    Field("territoire_slug", "string", "Identifiant du territoire"),
    Field("territoire", "string", "Nom du territoire"),
    Field("defi_id", "integer", "Numéro du défi"),
    Field("defi", "string", "Intitulé du défi"),
    Field("theme", "string", "Thème du défi (code)"),
    Field("projet_id", "integer", "Numéro du projet"),
    Field("projet", "string", "Nom du projet"),
    Field("objectif_id", "integer", "Numéro de l'objectif"),
    Field("objectif", "string", "Énoncé de l'objectif"),
    Field("indicateur", "string", "Indicateur"),
    Field("unite", "string", "Unité de l'indicateur"),
    Field("valeur_depart", "number", "Valeur de départ"),
    Field("date_valeur_depart", "date", "Date de la valeur de départ"),
    Field("cible", "number", "Valeur cible"),
    Field("echeance", "date", "Échéance"),
    Field("derniere_valeur", "number", "Dernière valeur mesurée"),
    Field("date_derniere_valeur", "date", "Date de la dernière mesure"),
    Field("avancement", "string", "no_data, achieved, on_track, at_risk ou missed"),
]


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def territory_rows(site_url: str) -> list[dict]:
    """One row per labelled territory, with its most recent public label."""
    territories = (
        Territory.objects.labelled()
        .select_related("lead_organisation")
        .prefetch_related(
            "regions",
            "departments",
            Prefetch(
                "labels",
                queryset=Label.objects.public()
                .select_related("wave")
                .order_by("-awarded_on", "-pk"),
                to_attr="public_labels",
            ),
        )
        .order_by("name", "pk")
    )
    rows = []
    for territory in territories:
        label = territory.public_labels[0]
        regions = sorted(territory.regions.all(), key=lambda r: r.code)
        departments = sorted(territory.departments.all(), key=lambda d: d.code)
        lead = territory.lead_organisation
        rows.append(
            {
                "slug": territory.slug,
                "nom": territory.name,
                "nature": territory.kind,
                "codes_regions": "|".join(r.code for r in regions),
                "regions": "|".join(r.name for r in regions),
                "codes_departements": "|".join(d.code for d in departments),
                "departements": "|".join(d.name for d in departments),
                "codes_epci": "|".join(territory.epci_codes),
                "codes_communes": "|".join(territory.commune_codes),
                "latitude": _value(territory.latitude),
                "longitude": _value(territory.longitude),
                "structure_porteuse": lead.name if lead else "",
                "commune_structure_porteuse": lead.town if lead else "",
                "numero_label": label.number,
                "statut_label": label.status,
                "vague": label.wave.number,
                "date_labellisation": _value(label.awarded_on),
                "valable_jusqu_au": _value(label.valid_until),
                "url": site_url + territory.get_absolute_url(),
            }
        )
    return rows


def objective_rows() -> list[dict]:
    """One row per objective of a published challenge of a labelled
    territory, with its latest measure and where it stands."""
    today = timezone.localdate()
    objectives = with_progress(
        Objective.objects.filter(project__challenge__in=public_challenges())
        .select_related("project__challenge__territory")
        .order_by(
            "project__challenge__territory__name",
            "project__challenge__position",
            "project__challenge_id",
            "project__position",
            "project_id",
            "position",
            "pk",
        )
    )
    rows = []
    for objective in objectives:
        project = objective.project
        challenge = project.challenge
        rows.append(
            {
                "territoire_slug": challenge.territory.slug,
                "territoire": challenge.territory.name,
                "defi_id": challenge.pk,
                "defi": challenge.title,
                "theme": challenge.theme,
                "projet_id": project.pk,
                "projet": project.name,
                "objectif_id": objective.pk,
                "objectif": objective.statement,
                "indicateur": objective.indicator.name,
                "unite": objective.indicator.unit,
                "valeur_depart": _value(objective.baseline),
                "date_valeur_depart": _value(objective.baseline_on),
                "cible": _value(objective.target),
                "echeance": _value(objective.deadline),
                "derniere_valeur": _value(objective.latest_value),
                "date_derniere_valeur": _value(objective.latest_on),
                "avancement": str(standing_of(objective, today).status),
            }
        )
    return rows


def fingerprint(rows: list[dict]) -> str:
    import hashlib

    canonical = json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(canonical).hexdigest()


def to_csv(rows: list[dict], fields: list[Field]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheets read the accents."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer, fieldnames=[f.name for f in fields], lineterminator="\r\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def to_json(rows: list[dict]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=1).encode()


def to_geojson(rows: list[dict]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [row["longitude"], row["latitude"]],
            },
            "properties": {
                k: v for k, v in row.items() if k not in ("latitude", "longitude")
            },
        }
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        indent=1,
    ).encode()


def to_xlsx(rows: list[dict], fields: list[Field], title: str) -> bytes:
    import datetime as dt

    from openpyxl import Workbook

    from frenchimpact.tabular import keep_text

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([f.name for f in fields])
    for row in rows:
        sheet.append([row[f.name] for f in fields])
    keep_text(sheet)  # a name starting with "=" is data, not a formula
    # fixed dates: the same rows make the same file
    epoch = dt.datetime(2019, 1, 1)
    workbook.properties.created = epoch
    workbook.properties.modified = epoch
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_schema(fields: list[Field], title: str, primary_key: str) -> bytes:
    """A Frictionless Table Schema, with the licence of the data."""
    schema = {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "title": title,
        "fields": [
            {"name": f.name, "type": f.type, "description": f.description}
            for f in fields
        ],
        "primaryKey": primary_key,
        "missingValues": [""],
        "licenses": [LICENCE],
    }
    return json.dumps(schema, ensure_ascii=False, indent=1).encode()
