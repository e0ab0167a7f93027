"""The one helper that writes the audit trail."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry

SENSITIVE_KEYS = frozenset({"password", "token", "siret", "phone", "email"})


def _mask(data: dict) -> dict:
    return {
        key: ("***" if key in SENSITIVE_KEYS else value)
        for key, value in (data or {}).items()
    }


def record(
    *,
    actor,
    action: str,
    obj,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Append an entry, e.g. ``applications.candidacy.submitted``.

    Labels and decisions (:func:`frenchimpact.ledger.is_ledgered`) are also
    chained into the append-only ledger, in the same transaction."""
    from . import ledger

    entry = AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment or "",
        data=_mask(data),
    )
    if ledger.is_ledgered(action):
        ledger.append(
            action=action,
            obj=obj,
            actor=actor,
            payload={
                "from_state": from_state or "",
                "to_state": to_state or "",
                "comment": comment or "",
                "data": _mask(data),
            },
        )
    return entry


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
