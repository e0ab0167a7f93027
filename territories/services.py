"""Writes to territories, organisations and reference geography."""

from django.db import transaction

from frenchimpact.text import fold

from . import geography
from .models import Department, Region, Territory


@transaction.atomic
def sync_geography() -> tuple[int, int]:
    """Load the régions and départements of the COG into the reference tables.

    Idempotent: rows are created or renamed, never duplicated. Returns the
    numbers of régions and départements in the register.
    """
    regions = {}
    for area in geography.regions().values():
        region, _created = Region.objects.update_or_create(
            code=area.code, defaults={"name": area.name}
        )
        regions[area.code] = region
    for area in geography.departments().values():
        Department.objects.update_or_create(
            code=area.code,
            defaults={"name": area.name, "region": regions[area.region]},
        )
    return len(regions), len(geography.departments())


def refresh_search_text(*, territory: Territory) -> Territory:
    """Recompute the folded text the directory search looks into.

    Call it after any change to the territory, its lead organisation, its
    priority areas or its challenges and projects.
    """
    parts = [
        territory.name,
        territory.summary,
        territory.description,
        territory.get_kind_display(),
    ]
    if territory.lead_organisation_id:
        parts.append(territory.lead_organisation.name)
    parts += [region.name for region in territory.regions.all()]
    parts += [department.name for department in territory.departments.all()]
    parts += [area.name for area in territory.priority_areas.all()]
    for challenge in territory.challenges.prefetch_related("projects"):
        parts.append(challenge.title)
        parts += [project.name for project in challenge.projects.all()]
    territory.search_text = fold(" ".join(part for part in parts if part))
    territory.save(update_fields=["search_text", "updated_at"])
    return territory
