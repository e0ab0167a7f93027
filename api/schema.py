"""Post-processing of the OpenAPI schema (drf-spectacular hook).

Closed vocabularies get their allowed values (read from the database when
the schema is generated: régions, départements, waves), identifiers their
bounds, and every operation its error responses (400, 404, 429).
"""

from challenges.enums import Theme
from territories.enums import TerritoryKind

from .filters import (
    MAX_ID,
    PUBLIC_STATUS_CHOICES,
    department_choices,
    region_choices,
    wave_choices,
)
from .pagination import MAX_PAGE_SIZE

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
ERRORS = {
    "400": "Paramètre ou valeur inconnus : la réponse liste ceux qui sont permis.",
    "404": "Ressource ou page inexistante.",
    "429": "Trop de requêtes : réessayer après le délai de l'en-tête Retry-After.",
}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _parameter_schemas() -> dict:
    from applications.enums import WaveStatus

    schemas = {
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "kind": {"type": "string", "enum": list(TerritoryKind.values)},
        "theme": {"type": "string", "enum": list(Theme.values)},
        "label_status": {
            "type": "string",
            "enum": [v for v, _ in PUBLIC_STATUS_CHOICES],
        },
        "challenge": ID,
        "project": ID,
        "objective": ID,
        "territory": {
            "type": "string",
            "maxLength": 200,
            "pattern": "^[-a-zA-Z0-9_]+$",
        },
    }
    for name, choices in (
        ("region", region_choices()),
        ("departement", department_choices()),
    ):
        values = [value for value, _ in choices]
        schemas[name] = (
            {"type": "string", "enum": values} if values else {"type": "string"}
        )
    waves = [int(value) for value, _ in wave_choices()]
    schemas["wave"] = (
        {"type": "integer", "enum": waves} if waves else {"type": "integer"}
    )
    schemas["wave_status"] = {"type": "string", "enum": list(WaveStatus.values)}
    return schemas


def complete_schema(result, generator, request, public):
    schemas = _parameter_schemas()
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "query":
                    key = (
                        "wave_status"
                        if path.endswith("/waves/") and name == "status"
                        else name
                    )
                    if key == "status" and "/labels/" in path:
                        key = "label_status"
                    if key in schemas:
                        parameter["schema"] = dict(schemas[key])
                elif parameter["in"] == "path" and name == "id":
                    parameter["schema"] = dict(ID)
                elif parameter["in"] == "path":
                    parameter["schema"] = {
                        "type": "string",
                        "maxLength": 200,
                        "pattern": "^[-a-zA-Z0-9_]+$",
                    }
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"}
                            }
                        },
                    },
                )
    return result
