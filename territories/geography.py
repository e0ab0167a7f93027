"""The Code officiel géographique (COG), read from official data.

The codes of régions, départements, EPCI and communes are checked against
the files of ``@etalab/decoupage-administratif``, the package published by
the State's data team (Etalab) and installed by npm (see ``package.json``);
no code is typed by hand. The files are read once per process, on first use.
"""

import functools
import json
from dataclasses import dataclass

from django.conf import settings

PACKAGE = "@etalab/decoupage-administratif"


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    region: str = ""
    department: str = ""


def _read(name: str) -> list[dict]:
    path = settings.NODE_MODULES_DIR / PACKAGE / "data" / f"{name}.json"
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as error:  # pragma: no cover - set-up problem
        raise RuntimeError(
            f"{path} is missing: run `make setup` (npm install) first."
        ) from error


@functools.cache
def regions() -> dict[str, Area]:
    return {row["code"]: Area(row["code"], row["nom"]) for row in _read("regions")}


@functools.cache
def departments() -> dict[str, Area]:
    return {
        row["code"]: Area(row["code"], row["nom"], region=row["region"])
        for row in _read("departements")
    }


@functools.cache
def epcis() -> dict[str, Area]:
    """EPCI with their own tax status, and the EPT of the Grand Paris."""
    return {
        row["code"]: Area(row["code"], row["nom"])
        for row in _read("epci") + _read("ept")
    }


@functools.cache
def communes() -> dict[str, Area]:
    return {
        row["code"]: Area(
            row["code"],
            row["nom"],
            region=row.get("region", ""),
            department=row.get("departement", ""),
        )
        for row in _read("communes")
        if row.get("type") == "commune-actuelle"
    }
