"""Every write to a candidacy, and the one choke point of its state machine."""

import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchimpact import audit, scanning
from frenchimpact.mail import queue_email
from frenchimpact.queue import enqueue_on_commit
from frenchimpact.states import StateMachine

from . import sections, uploads
from .enums import TRANSITIONS, CandidacyState, TeamRole
from .models import Attachment, Candidacy, Invitation, Receipt, TeamMembership, Wave


class CandidacyError(Exception):
    """A refused action, with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


CANDIDACY_STATES = StateMachine(
    action="applications.candidacy",
    states=CandidacyState,
    transitions=TRANSITIONS,
    refusal=gettext_lazy(
        "Une candidature « %(from)s » ne peut pas passer à « %(to)s »."
    ),
    error=CandidacyError,
)


@dataclass
class EditConflict(Exception):
    """Someone else saved the section since the form was opened."""

    current: Candidacy


def _locked(candidacy_id: int) -> Candidacy:
    return (
        Candidacy.objects.select_for_update()
        .select_related("wave")
        .get(pk=candidacy_id)
    )


# --- State machine ----------------------------------------------------------


@transaction.atomic
def transition(
    *, candidacy_id: int, to_state: str, actor, comment: str = ""
) -> tuple[Candidacy, bool]:
    """Move a candidacy to ``to_state``: the only place where its state changes.

    Locks the row, does nothing if the candidacy is already there (a double
    click submits once), refuses a move not declared in ``TRANSITIONS``,
    writes the audit entry. Returns the candidacy and whether it moved.
    Callers that do more in the same change wrap it in their own transaction.
    """
    candidacy = _locked(candidacy_id)
    moved = CANDIDACY_STATES.move(candidacy, to_state, actor=actor, comment=comment)
    return candidacy, moved


# --- Creation and team --------------------------------------------------------


@transaction.atomic
def create_candidacy(*, wave: Wave, user) -> Candidacy:
    if not wave.is_open():
        raise CandidacyError(
            _("La vague « %(wave)s » n'accepte pas de candidature en ce moment.")
            % {"wave": wave.name}
        )
    candidacy = Candidacy.objects.create(
        wave=wave,
        reference=f"TFI-V{wave.number}-{secrets.token_hex(3).upper()}",
        created_by=user,
    )
    TeamMembership.objects.create(candidacy=candidacy, user=user, role=TeamRole.LEAD)
    audit.record(
        actor=user,
        action="applications.candidacy.created",
        obj=candidacy,
        to_state=candidacy.state,
    )
    return candidacy


@transaction.atomic
def invite_co_editor(*, candidacy: Candidacy, user, email: str) -> Invitation:
    if not user.has_perm("applications.invite_to_candidacy", candidacy):
        raise PermissionDenied
    email = email.strip().lower()
    if candidacy.memberships.filter(user__email__iexact=email).exists():
        raise CandidacyError(_("Cette personne fait déjà partie de l'équipe."))
    invitation = Invitation.objects.create(
        candidacy=candidacy, email=email, invited_by=user
    )
    audit.record(
        actor=user,
        action="applications.candidacy.invited",
        obj=candidacy,
        data={"invitation": invitation.pk},
    )
    queue_email(
        to=[email],
        template="invitation",
        context={
            "candidacy": candidacy,
            "inviter": user,
            "token": invitation_token(invitation),
        },
    )
    return invitation


def invitation_token(invitation: Invitation) -> str:
    from django.core import signing

    return signing.dumps(invitation.pk, salt="applications.invitation")


INVITATION_MAX_AGE = 14 * 24 * 3600


def invitation_from_token(token: str) -> Invitation | None:
    from django.core import signing

    try:
        pk = signing.loads(
            token, salt="applications.invitation", max_age=INVITATION_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("candidacy")
        .filter(pk=pk, accepted_at__isnull=True)
        .first()
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> TeamMembership:
    if user.email.lower() != invitation.email.lower():
        raise CandidacyError(
            _(
                "Cette invitation a été envoyée à une autre adresse : "
                "connectez-vous avec le compte de %(email)s."
            )
            % {"email": invitation.email}
        )
    membership, _created = TeamMembership.objects.get_or_create(
        candidacy=invitation.candidacy,
        user=user,
        defaults={"role": TeamRole.CO_EDITOR},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit.record(
        actor=user, action="applications.candidacy.joined", obj=invitation.candidacy
    )
    return membership


# --- Editing -------------------------------------------------------------------


def _require_editable(candidacy: Candidacy, user) -> None:
    if not user.has_perm("applications.change_candidacy", candidacy):
        if candidacy.state == CandidacyState.DRAFT and not candidacy.wave.is_open():
            raise CandidacyError(
                _(
                    "La date limite de dépôt de la vague est passée : la "
                    "candidature est désormais en lecture seule."
                )
            )
        raise CandidacyError(
            _("Cette candidature ne peut plus être modifiée dans son état actuel.")
        )


@transaction.atomic
def save_section(
    *, candidacy_id: int, section: str, user, version: int, form, formsets=()
) -> Candidacy:
    """Save one section if nobody saved it since ``version`` was read.

    ``form`` and ``formsets`` are valid bound forms on the candidacy; on a
    conflict nothing is written and :class:`EditConflict` carries the
    current state, so that the view can show both versions.
    """
    candidacy = _locked(candidacy_id)
    _require_editable(candidacy, user)
    if candidacy.version_of(section) != version:
        raise EditConflict(current=candidacy)
    # the form validated against the instance read before the lock: apply
    # its cleaned data to the locked row, then save
    form.instance = construct_instance(
        form, candidacy, form._meta.fields, form._meta.exclude
    )
    form.save()
    for formset in formsets:
        formset.instance = candidacy
        formset.save()
    candidacy.section_versions = {
        **candidacy.section_versions,
        section: version + 1,
    }
    candidacy.save(update_fields=["section_versions", "updated_at"])
    audit.record(
        actor=user,
        action="applications.candidacy.section_saved",
        obj=candidacy,
        data={"section": section},
    )
    return candidacy


@transaction.atomic
def add_attachment(
    *, candidacy_id: int, user, uploaded_file, description=""
) -> Attachment:
    candidacy = _locked(candidacy_id)
    _require_editable(candidacy, user)
    if candidacy.attachments.count() >= settings.UPLOAD_MAX_FILES:
        raise CandidacyError(
            _("Une candidature compte %(max)d pièces jointes au plus.")
            % {"max": settings.UPLOAD_MAX_FILES}
        )
    checked = uploads.check_upload(uploaded_file, max_bytes=settings.UPLOAD_MAX_BYTES)
    attachment = Attachment(
        candidacy=candidacy,
        name=checked.safe_name,
        description=description,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    attachment.file.save(checked.safe_name, uploaded_file, save=False)
    attachment.save()
    scanning.request_scan(attachment)
    audit.record(
        actor=user,
        action="applications.candidacy.attachment_added",
        obj=candidacy,
        data={"name": attachment.name, "sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: Attachment, user) -> None:
    candidacy = _locked(attachment.candidacy_id)
    _require_editable(candidacy, user)
    name, stored = attachment.name, attachment.file.name
    attachment.delete()
    storage = attachment.file.storage
    if stored:  # an infected file is already gone
        transaction.on_commit(lambda: storage.delete(stored))
    audit.record(
        actor=user,
        action="applications.candidacy.attachment_deleted",
        obj=candidacy,
        data={"name": name},
    )


# --- Submission ------------------------------------------------------------------


def snapshot(candidacy: Candidacy) -> dict:
    """What was submitted, as plain data: the receipt's hash is computed on it."""
    return {
        "reference": candidacy.reference,
        "wave": candidacy.wave.name,
        "territory": candidacy.display_name,
        "territory_kind": candidacy.territory_kind,
        "region_codes": candidacy.region_codes,
        "department_codes": candidacy.department_codes,
        "epci_codes": candidacy.epci_codes,
        "commune_codes": candidacy.commune_codes,
        "perimeter": candidacy.perimeter,
        "lead": {
            "name": candidacy.lead_name,
            "kind": candidacy.lead_kind,
            "siret": candidacy.lead_siret,
            "town": candidacy.lead_town,
        },
        "contacts": [
            {"name": c.name, "function": c.function, "email": c.email}
            for c in candidacy.contacts.all()
        ],
        "partners": [
            {
                "name": p.name,
                "kind": p.kind,
                "siret": p.siret,
                "role": p.role,
                "commitment": p.commitment,
            }
            for p in candidacy.partners.all()
        ],
        "diagnosis": candidacy.diagnosis,
        "priority_areas": candidacy.priority_areas,
        "challenges": [
            {"title": c.title, "theme": c.theme, "objectives": c.objectives}
            for c in candidacy.challenges.all()
        ],
        "axis_expectations": candidacy.axis_expectations,
        "governance": candidacy.governance,
        "resources": candidacy.resources,
        "attachments": [
            {"name": a.name, "sha256": a.sha256, "size": a.size}
            for a in candidacy.attachments.all()
        ],
    }


def content_hash(data: dict) -> str:
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def submit_candidacy(*, candidacy_id: int, user, at=None) -> tuple[Candidacy, bool]:
    """Deposit the file (or deposit it again after complements).

    Only the lead submits, only when the file is complete and, for a first
    deposit, while the wave is open (checked here, on the server). Returns
    the candidacy and whether this call deposited it: a second click finds it
    already deposited and does nothing.
    """
    at = at or timezone.now()
    candidacy = _locked(candidacy_id)
    if candidacy.state in {CandidacyState.SUBMITTED, CandidacyState.RESUBMITTED}:
        return candidacy, False
    if not user.has_perm("applications.submit_candidacy", candidacy):
        _require_editable(candidacy, user)
        raise CandidacyError(
            _("Seul le responsable de la candidature peut la déposer.")
        )
    if candidacy.state == CandidacyState.DRAFT and not candidacy.wave.is_open(at):
        raise CandidacyError(
            _(
                "La date limite de dépôt de la vague est passée : la candidature "
                "ne peut plus être déposée."
            )
        )
    if not sections.is_complete(candidacy):
        raise CandidacyError(
            _(
                "La candidature est incomplète : complétez les rubriques signalées "
                "avant de la déposer."
            )
        )
    to_state = (
        CandidacyState.RESUBMITTED
        if candidacy.state == CandidacyState.CHANGES_REQUESTED
        else CandidacyState.SUBMITTED
    )
    candidacy, _moved = transition(
        candidacy_id=candidacy.pk, to_state=to_state, actor=user
    )
    candidacy.submission_count += 1
    candidacy.submitted_at = candidacy.submitted_at or at
    candidacy.save(update_fields=["submission_count", "submitted_at", "updated_at"])
    data = snapshot(candidacy)
    receipt = Receipt.objects.create(
        candidacy=candidacy,
        number=candidacy.submission_count,
        submitted_at=at,
        snapshot=data,
        content_hash=content_hash(data),
    )
    from .tasks import task_render_receipt

    enqueue_on_commit(task_render_receipt, receipt_id=receipt.pk)
    queue_email(
        to=list(candidacy.memberships.values_list("user__email", flat=True)),
        template="submitted",
        context={"candidacy": candidacy, "receipt": receipt},
    )
    return candidacy, True


@transaction.atomic
def withdraw_candidacy(*, candidacy_id: int, user, comment: str = "") -> Candidacy:
    candidacy = _locked(candidacy_id)
    if not user.has_perm("applications.withdraw_candidacy", candidacy):
        raise CandidacyError(
            _("Seul le responsable peut retirer une candidature brouillon ou déposée.")
        )
    candidacy, _moved = transition(
        candidacy_id=candidacy.pk,
        to_state=CandidacyState.WITHDRAWN,
        actor=user,
        comment=comment,
    )
    return candidacy


def render_receipt(*, receipt: Receipt) -> Receipt:
    """Render the deposit receipt's PDF (called by the worker); a receipt
    rendered meanwhile by another delivery of the task is left as it is."""
    from django.core.files.base import ContentFile
    from django.template.loader import render_to_string
    from django.utils import translation

    from frenchimpact.enums import DocumentStatus
    from frenchimpact.pdf import render_pdf

    with translation.override("fr"):
        html = render_to_string("documents/receipt.html", {"receipt": receipt})
    pdf = render_pdf(html)
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.status == DocumentStatus.READY and locked.file:
            return locked
        locked.file.save(
            f"{locked.candidacy.reference}-{locked.number}.pdf",
            ContentFile(pdf),
            save=False,
        )
        locked.status = DocumentStatus.READY
        locked.error = ""
        locked.save(update_fields=["file", "status", "error", "updated_at"])
    return locked
