"""Writes to territories, organisations and reference geography."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchimpact import audit
from frenchimpact.text import fold

from . import geography
from .enums import LABEL_TRANSITIONS, LabelStatus
from .models import Department, Label, Region, Territory


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


class LabelError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def change_label_status(*, label: Label, to_status: str, actor, reason: str) -> Label:
    """The one choke point of a label's status: locks, checks the move against
    ``LABEL_TRANSITIONS``, saves and writes the audit entry."""
    label = Label.objects.select_for_update().get(pk=label.pk)
    if label.status == to_status:
        return label
    if to_status not in LABEL_TRANSITIONS[label.status]:
        raise LabelError(
            _("Un label « %(from)s » ne peut pas devenir « %(to)s ».")
            % {
                "from": LabelStatus(label.status).label,
                "to": LabelStatus(to_status).label,
            }
        )
    if not (reason or "").strip():
        raise LabelError(_("Indiquez le motif du changement de statut."))
    from_status = label.status
    label.status = to_status
    label.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=f"territories.label.{to_status}",
        obj=label,
        from_state=from_status,
        to_state=to_status,
        comment=reason,
    )
    return label


def expire_labels(*, today=None) -> int:
    """Expire the labels whose validity has ended (run daily by beat)."""
    today = today or timezone.localdate()
    expired = 0
    expirable = [
        s for s, moves in LABEL_TRANSITIONS.items() if LabelStatus.EXPIRED in moves
    ]
    for label in Label.objects.filter(valid_until__lt=today, status__in=expirable):
        change_label_status(
            label=label,
            to_status=LabelStatus.EXPIRED,
            actor=None,
            reason=_("Fin de la période de validité"),
        )
        expired += 1
    return expired
