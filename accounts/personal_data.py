"""Personal data (RGPD): the export a person downloads, the erasure of an
account, and the retention periods enforced every day (Celery beat).

The periods are settings (see ``docs/rgpd.md``, the record of processing)."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchimpact import audit

from .models import User

logger = logging.getLogger(__name__)

ENCODER = DjangoJSONEncoder

# fields of a candidacy that are its sections' content
CANDIDACY_FIELDS = [
    "reference",
    "state",
    "territory_name",
    "territory_kind",
    "region_codes",
    "department_codes",
    "epci_codes",
    "commune_codes",
    "perimeter",
    "lead_name",
    "lead_kind",
    "lead_siret",
    "lead_town",
    "diagnosis",
    "priority_areas",
    "axis_expectations",
    "governance",
    "resources",
    "submitted_at",
    "created_at",
]


class AccountDeletionRefused(Exception):
    """The account cannot be deleted yet; the message says why."""


def _plain(instance, *, exclude=()) -> dict:
    data = model_to_dict(instance)
    return {k: v for k, v in data.items() if k not in exclude and k != "id"}


def export_personal_data(*, user: User) -> dict:
    """Everything the portal holds about ``user``, as plain JSON-able data."""
    from applications.models import Attachment, Candidacy, TeamMembership
    from challenges.models import ProgressReport
    from frenchimpact.models import AuditEntry
    from reviews.models import Message

    memberships = TeamMembership.objects.filter(user=user).select_related("candidacy")
    candidacies = Candidacy.objects.filter(memberships__user=user).prefetch_related(
        "contacts", "partners", "challenges"
    )
    exported_candidacies = []
    for candidacy in candidacies:
        item = {field: getattr(candidacy, field) for field in CANDIDACY_FIELDS}
        for relation in ("contacts", "partners", "challenges"):
            item[relation] = [
                _plain(row, exclude=("candidacy",))
                for row in getattr(candidacy, relation).all()
            ]
        exported_candidacies.append(item)
    return {
        "generated_at": timezone.now(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "is_active": user.is_active,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "team_memberships": [
            {
                "candidacy": m.candidacy.reference,
                "role": m.role,
                "since": m.created_at,
            }
            for m in memberships
        ],
        "candidacies": exported_candidacies,
        "messages_written": [
            {
                "candidacy": m.candidacy.reference,
                "written_at": m.created_at,
                "body": m.body,
            }
            for m in Message.objects.filter(author=user).select_related("candidacy")
        ],
        "uploaded_files": [
            {
                "candidacy": a.candidacy.reference,
                "name": a.name,
                "size": a.size,
                "sha256": a.sha256,
                "uploaded_at": a.created_at,
            }
            for a in Attachment.objects.filter(uploaded_by=user).select_related(
                "candidacy"
            )
        ]
        + [
            {
                "progress_report": str(r.reported_on),
                "name": r.evidence_name,
                "uploaded_at": r.created_at,
            }
            for r in ProgressReport.objects.filter(created_by=user).exclude(evidence="")
        ],
        "audit_entries": [
            {
                "at": e.created_at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": e.comment,
                "data": e.data,
            }
            for e in AuditEntry.objects.filter(actor=user).order_by("created_at")
        ],
    }


def candidacies_blocking_deletion(*, user: User):
    """Candidacies in progress whose only lead is ``user``."""
    from applications.enums import FINAL_STATES, TeamRole
    from applications.models import Candidacy

    return Candidacy.objects.filter(
        memberships__user=user, memberships__role=TeamRole.LEAD
    ).exclude(state__in=FINAL_STATES)


@transaction.atomic
def delete_account(*, request, user: User) -> User:
    """Erase the person's data and close the account for good.

    Refused while they lead a candidacy in progress (they hand it over to a
    co-editor first). What the programme must keep (candidacies, labels,
    decisions, the audit trail) stays, without their name nor address: the
    account row remains as an anonymous, inactive placeholder."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from applications.enums import FINAL_STATES
    from applications.models import TeamMembership

    user = User.objects.select_for_update().get(pk=user.pk)
    blocking = list(candidacies_blocking_deletion(user=user))
    if blocking:
        raise AccountDeletionRefused(
            _(
                "Vous êtes le ou la responsable de candidatures en cours "
                "(%(refs)s) : tant que personne d'autre n'en répond, votre "
                "compte ne peut pas être supprimé. Retirez la candidature, ou "
                "demandez au Haut-Commissariat de confier ce rôle à un "
                "co-rédacteur, puis revenez ici."
            )
            % {"refs": ", ".join(c.reference for c in blocking)}
        )
    # leave the teams of the candidacies still in progress
    TeamMembership.objects.filter(user=user).exclude(
        candidacy__state__in=FINAL_STATES
    ).delete()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.email = f"compte-supprime-{user.pk}@supprime.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # a new password hash invalidates every session of the account
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email",
            "first_name",
            "last_name",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
        ]
    )
    audit.record(actor=None, action="accounts.user.deleted", obj=user)
    if request is not None:
        logout(request)
    return user


# --- Retention ---------------------------------------------------------------


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def purge_unverified_accounts() -> int:
    """Accounts whose address was never confirmed, after
    ``RETENTION_UNVERIFIED_ACCOUNT_DAYS``."""
    stale = User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        date_joined__lt=_days_ago(settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS),
    )
    count = 0
    for user in stale:
        try:
            with transaction.atomic():
                user.delete()
        except Exception:  # referenced by kept data: leave it
            logger.warning("Unverified account %s kept: still referenced", user.pk)
        else:
            count += 1
    return count


def purge_outbox() -> int:
    """E-mails of the outbox, ``RETENTION_OUTBOX_DAYS`` after sending (or
    after their creation when they failed)."""
    from frenchimpact.models import EmailStatus, OutboundEmail

    limit = _days_ago(settings.RETENTION_OUTBOX_DAYS)
    sent = OutboundEmail.objects.filter(status=EmailStatus.SENT, sent_at__lt=limit)
    failed = OutboundEmail.objects.filter(
        status=EmailStatus.FAILED, created_at__lt=limit
    )
    return sent.delete()[0] + failed.delete()[0]


def purge_closed_candidacy_attachments() -> int:
    """Attachments of candidacies rejected or withdrawn, deleted with their
    file ``RETENTION_CLOSED_ATTACHMENTS_DAYS`` after the candidacy's last
    change; the candidacy itself and its receipt are kept."""
    from applications.enums import CandidacyState
    from applications.models import Attachment

    stale = Attachment.objects.filter(
        candidacy__state__in=[CandidacyState.REJECTED, CandidacyState.WITHDRAWN],
        candidacy__updated_at__lt=_days_ago(settings.RETENTION_CLOSED_ATTACHMENTS_DAYS),
    )
    count = 0
    for attachment in stale:
        stored, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        if stored:
            transaction.on_commit(lambda s=stored, st=storage: st.delete(s))
        count += 1
    return count


def purge_login_logs() -> int:
    """Login attempts (address, browser) kept by django-axes, after
    ``RETENTION_LOGIN_LOG_DAYS``."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    limit = _days_ago(settings.RETENTION_LOGIN_LOG_DAYS)
    return sum(
        model.objects.filter(attempt_time__lt=limit).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )


def enforce_retention() -> dict[str, int]:
    with transaction.atomic():
        return {
            "unverified_accounts": purge_unverified_accounts(),
            "outbox": purge_outbox(),
            "closed_attachments": purge_closed_candidacy_attachments(),
            "login_logs": purge_login_logs(),
        }
