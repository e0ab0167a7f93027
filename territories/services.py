"""Writes to territories, organisations, labels and reference geography."""

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchimpact import audit
from frenchimpact.enums import DocumentStatus
from frenchimpact.queue import enqueue_on_commit
from frenchimpact.text import fold

from . import geography
from .enums import LABEL_TRANSITIONS, LabelStatus
from .models import Certificate, Department, Label, Region, Territory


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
    # the certificate shows the status: a new version replaces the old one
    request_certificate(label=label)
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


# --- Certificates -------------------------------------------------------------


def certificate_inputs(label: Label, language: str) -> dict:
    """Everything a certificate shows: a change makes a new version."""
    lead = label.territory.lead_organisation
    return {
        "number": label.number,
        "territory": label.territory.name,
        "lead": lead.name if lead else "",
        "wave": label.wave.name,
        "awarded_on": label.awarded_on.isoformat(),
        "valid_until": label.valid_until.isoformat() if label.valid_until else "",
        "status": label.status,
        "code": label.verification_code,
        "language": language,
        "template": CERTIFICATE_TEMPLATE_VERSION,
    }


CERTIFICATE_TEMPLATE_VERSION = 1


def certificate_digest(label: Label, language: str) -> str:
    inputs = certificate_inputs(label, language)
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def request_certificate(*, label: Label, language: str = "fr") -> Certificate:
    """The certificate of the label as it is now, queued for rendering if it
    was not rendered from the same inputs before (idempotent)."""
    from .tasks import task_render_certificate

    digest = certificate_digest(label, language)
    with transaction.atomic():
        certificate, created = Certificate.objects.get_or_create(
            label=label, language=language, inputs_hash=digest
        )
        if created or certificate.status == DocumentStatus.FAILED:
            if certificate.status == DocumentStatus.FAILED:
                certificate.status = DocumentStatus.QUEUED
                certificate.save(update_fields=["status", "updated_at"])
            enqueue_on_commit(task_render_certificate, certificate_id=certificate.pk)
    return certificate


def verification_qr_png(url: str) -> bytes:
    """The QR code of a verification address, one pixel a module with its
    quiet zone, in the DSFR's blue: printed without smoothing, it stays
    sharp at any size (a PNG costs the renderer less than an SVG path of
    some 700 points)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=1, dark="#000091")
    return out.getvalue()


CERTIFICATE_STYLESHEETS = ("documents/certificate.css",)


def certificate_html(label: Label, language: str) -> str:
    """The certificate's HTML (styled by ``CERTIFICATE_STYLESHEETS``)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    from frenchimpact.pdf import png_data_url

    url = settings.SITE_URL + label.get_verification_url()
    with translation.override(language):
        return render_to_string(
            "documents/certificate.html",
            {
                "label": label,
                "territory": label.territory,
                "verification_url": url,
                "qr_png": png_data_url(verification_qr_png(url)),
            },
        )


def render_certificate(*, certificate: Certificate) -> Certificate:
    """Render the PDF (called by the worker). Rendering twice is harmless:
    a certificate already rendered is left as it is."""
    from django.core.files.base import ContentFile

    from frenchimpact.pdf import render_pdf

    label = certificate.label
    pdf = render_pdf(
        certificate_html(label, certificate.language),
        stylesheets=CERTIFICATE_STYLESHEETS,
    )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == DocumentStatus.READY and locked.file:
            return locked
        locked.file.save(f"{label.number}.pdf", ContentFile(pdf), save=False)
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.status = DocumentStatus.READY
        locked.error = ""
        locked.save(update_fields=["file", "sha256", "status", "error", "updated_at"])
    return locked


def generate_wave_certificates(*, wave) -> int:
    """Queue the certificate of every label of a wave (those already rendered
    from the same inputs are not rendered again). Returns the number of labels."""
    labels = Label.objects.filter(wave=wave).select_related(
        "territory__lead_organisation", "wave"
    )
    for label in labels:
        request_certificate(label=label)
    return len(labels)


def wave_certificates_progress(wave) -> dict:
    """How many labels of the wave have their current certificate ready."""
    labels = list(
        Label.objects.filter(wave=wave).select_related(
            "territory__lead_organisation", "wave"
        )
    )
    if not labels:
        return {"total": 0, "ready": 0, "failed": 0, "percent": 100}
    wanted = {label.pk: certificate_digest(label, "fr") for label in labels}
    rows = Certificate.objects.filter(label__wave=wave, language="fr").values_list(
        "label_id", "inputs_hash", "status"
    )
    status = {
        label_id: s for label_id, digest, s in rows if wanted.get(label_id) == digest
    }
    ready = sum(s == DocumentStatus.READY for s in status.values())
    failed = sum(s == DocumentStatus.FAILED for s in status.values())
    return {
        "total": len(labels),
        "ready": ready,
        "failed": failed,
        "percent": round(100 * ready / len(labels)),
    }
