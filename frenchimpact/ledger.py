"""The append-only, hash-chained ledger of labels and decisions.

:func:`append` is called by :func:`frenchimpact.audit.record` for the
actions of :data:`LEDGER_ACTIONS`, inside the transaction of the change it
records: the entry exists if and only if the change was committed.

Appends are serialised (a transaction-scoped advisory lock on PostgreSQL,
the write lock of an immediate transaction on SQLite, and a row lock on the
last entry in both), so that concurrent appends still chain one after the
other. :func:`verify` recomputes the chain.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .models import LedgerEntry

GENESIS_HASH = "0" * 64
# the key of the PostgreSQL advisory lock held while appending (any constant)
ADVISORY_LOCK_KEY = 7_245_061_918

LEDGER_ACTION_PREFIXES = ("territories.label.", "reviews.decision.")
"""Audit actions also written to the ledger: a label issued or changing
status (suspended, reinstated, revoked, expired, conditions lifted) and a
decision prepared or published."""


def is_ledgered(action: str) -> bool:
    return action.startswith(LEDGER_ACTION_PREFIXES)


def actor_snapshot(actor) -> str:
    """Who acted, as text frozen at the time (an account may be anonymised
    later: the ledger keeps what was true then)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return f"{actor.email} (#{actor.pk}, {getattr(actor, 'role', '')})"


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _normalised(payload: dict) -> dict:
    """The payload as it reads back from the JSON column."""
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))


def compute_hash(
    *,
    sequence: int,
    created_at: dt.datetime,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict,
    actor: str,
    previous_hash: str,
) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the
    entry, the previous entry's hash included."""
    canonical = json.dumps(
        {
            "sequence": sequence,
            "created_at": _timestamp(created_at),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "payload": payload,
            "actor": actor,
            "previous_hash": previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_of(entry: LedgerEntry) -> str:
    return compute_hash(
        sequence=entry.sequence,
        created_at=entry.created_at,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        payload=entry.payload,
        actor=entry.actor,
        previous_hash=entry.previous_hash,
    )


def append(*, action: str, obj, actor, payload: dict | None = None) -> LedgerEntry:
    """Chain a new entry after the last one, in the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        last = LedgerEntry.objects.select_for_update().order_by("-sequence").first()
        fields = {
            "sequence": last.sequence + 1 if last else 1,
            "created_at": timezone.now(),
            "action": action,
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk),
            "payload": _normalised(payload),
            "actor": actor_snapshot(actor),
            "previous_hash": last.hash if last else GENESIS_HASH,
        }
        return LedgerEntry.objects.create(**fields, hash=compute_hash(**fields))


@dataclass(frozen=True)
class Verification:
    count: int
    broken_at: int | None = None  # sequence of the first broken link
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify() -> Verification:
    """Recompute the chain from the first entry; stop at the first link that
    does not hold (a hash that does not match its entry, a previous hash
    that is not the previous entry's, a missing sequence number)."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    count = 0
    for entry in LedgerEntry.objects.order_by("sequence").iterator(chunk_size=500):
        if entry.sequence != expected_sequence:
            return Verification(
                count,
                expected_sequence,
                f"entry {expected_sequence} is missing (next is {entry.sequence})",
            )
        if entry.previous_hash != previous_hash:
            return Verification(
                count,
                entry.sequence,
                "previous_hash is not the hash of the entry before it",
            )
        if hash_of(entry) != entry.hash:
            return Verification(
                count, entry.sequence, "hash does not match the entry's content"
            )
        previous_hash = entry.hash
        expected_sequence += 1
        count += 1
    return Verification(count)
