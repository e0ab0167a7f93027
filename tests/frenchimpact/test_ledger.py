"""The append-only, hash-chained ledger of labels and decisions."""

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from accounts.enums import Role
from frenchimpact import ledger
from frenchimpact.models import LedgerEntry, LedgerError
from reviews import services
from territories.services import change_label_status
from tests.factories import (
    UserFactory,
    candidacy_under_review,
    labelled_territory,
    reviewed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF, is_staff=True)


def _publish(staff):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    decision = services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
    )
    return services.publish_decision(decision=decision, actor=staff)


def _verify_output():
    from io import StringIO

    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


def test_decision_label_and_status_changes_are_chained(staff):
    _decision, label = _publish(staff)
    change_label_status(label=label, to_status="suspended", actor=staff, reason="x")
    change_label_status(label=label, to_status="active", actor=staff, reason="y")

    entries = list(LedgerEntry.objects.all())
    assert [e.action for e in entries] == [
        "reviews.decision.prepared",
        "territories.label.issued",
        "reviews.decision.published",
        "territories.label.suspended",
        "territories.label.active",
    ]
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].previous_hash == ledger.GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.hash
    issued = entries[1]
    assert issued.object_type == "territories.label"
    assert issued.object_id == str(label.pk)
    assert issued.payload["data"] == {"number": label.number}
    assert staff.email in issued.actor
    assert entries[3].payload["comment"] == "x"
    assert _verify_output() == "5 entrées, chaîne intacte.\n"


def test_other_audit_actions_stay_out_of_the_ledger(staff):
    candidacy = candidacy_under_review()
    services.post_message(candidacy=candidacy, author=staff, body="Bonjour")

    assert not LedgerEntry.objects.exists()
    assert _verify_output() == "0 entrées, chaîne intacte.\n"


def test_actor_is_a_snapshot_that_survives_the_account(staff):
    _publish(staff)
    email = staff.email
    # deleting an account anonymises it (its decisions keep the row)
    type(staff).objects.filter(pk=staff.pk).update(
        email=f"anonyme-{staff.pk}@example.invalid", first_name="", last_name=""
    )

    assert LedgerEntry.objects.filter(actor__contains=email).count() == 3
    assert "chaîne intacte" in _verify_output()


def test_entry_cannot_be_changed_nor_deleted_through_django(staff):
    _publish(staff)
    entry = LedgerEntry.objects.first()

    entry.action = "reviews.decision.forged"
    with pytest.raises(LedgerError):
        entry.save()
    with pytest.raises(LedgerError):
        entry.delete()
    with pytest.raises(LedgerError):
        LedgerEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(LedgerError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).action == "reviews.decision.prepared"


def test_append_rolls_back_with_the_change(staff):
    territory = labelled_territory()
    label = territory.labels.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        change_label_status(label=label, to_status="suspended", actor=staff, reason="x")
        raise RuntimeError("the request fails after the service")

    assert not LedgerEntry.objects.filter(action="territories.label.suspended")
    label.refresh_from_db()
    assert label.status == "active"


def _tamper(sql, params):
    """Change a row behind Django's back, as someone with database access
    would: on PostgreSQL, with the append-only trigger disabled first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE frenchimpact_ledgerentry "
                "DISABLE TRIGGER frenchimpact_ledger_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE frenchimpact_ledgerentry "
                "ENABLE TRIGGER frenchimpact_ledger_append_only"
            )


def _chain_of_five(staff):
    _decision, label = _publish(staff)
    change_label_status(label=label, to_status="suspended", actor=staff, reason="x")
    change_label_status(label=label, to_status="active", actor=staff, reason="y")
    return list(LedgerEntry.objects.all())


def test_tampered_payload_is_reported_at_its_link(staff):
    entries = _chain_of_five(staff)
    _tamper(
        "UPDATE frenchimpact_ledgerentry SET payload = %s WHERE sequence = 3",
        ['{"data": {"outcome": "reject"}}'],
    )

    with pytest.raises(CommandError) as error:
        call_command("verify_ledger")
    assert error.value.returncode == 1
    assert "l'entrée n° 3 " in str(error.value)
    assert "hash does not match" in str(error.value)
    assert "2 entrées intactes" in str(error.value)
    assert ledger.verify().broken_at == 3
    assert len(entries) == 5


def test_rehashed_entry_breaks_the_next_link(staff):
    """Whoever recomputes a forged entry's own hash still breaks the link
    after it."""
    entries = _chain_of_five(staff)
    forged = entries[1]
    forged.payload = {"data": {"number": "TFI-FAUX"}}
    new_hash = ledger.hash_of(forged)
    _tamper(
        "UPDATE frenchimpact_ledgerentry SET payload = %s, hash = %s "
        "WHERE sequence = 2",
        ['{"data": {"number": "TFI-FAUX"}}', new_hash],
    )

    result = ledger.verify()
    assert (result.broken_at, result.count) == (3, 2)
    assert "previous_hash" in result.reason


def test_deleted_entry_is_reported_as_missing(staff):
    _chain_of_five(staff)
    _tamper("DELETE FROM frenchimpact_ledgerentry WHERE sequence = 4", [])

    with pytest.raises(CommandError, match=r"l'entrée n° 4 .*missing"):
        call_command("verify_ledger")


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL"
)
def test_database_trigger_refuses_update_and_delete(staff):
    from django.db import DatabaseError

    _publish(staff)
    for sql in (
        "UPDATE frenchimpact_ledgerentry SET action = 'x' WHERE sequence = 1",
        "DELETE FROM frenchimpact_ledgerentry WHERE sequence = 1",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert LedgerEntry.objects.count() == 3


def test_admin_is_read_only(admin_client, staff):
    from django.urls import reverse

    _publish(staff)
    entry = LedgerEntry.objects.first()
    listing = admin_client.get(reverse("admin:frenchimpact_ledgerentry_changelist"))
    assert listing.status_code == 200
    assert "reviews.decision.prepared" in listing.content.decode()
    page = admin_client.get(
        reverse("admin:frenchimpact_ledgerentry_change", args=[entry.pk])
    )
    assert entry.hash in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert (
        admin_client.post(
            reverse("admin:frenchimpact_ledgerentry_delete", args=[entry.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert LedgerEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_appends_chain_correctly():
    territories = [labelled_territory() for _ in range(4)]
    labels = [t.labels.get() for t in territories]
    actor = UserFactory(role=Role.STAFF, is_staff=True)
    start = LedgerEntry.objects.count()

    def append(n):
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                return ledger.append(
                    action="territories.label.checked",
                    obj=labels[n % 4],
                    actor=actor,
                    payload={"n": n, "at": dt.date(2026, 1, 1)},
                )
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        appended = list(pool.map(append, range(20)))
    connection.close()

    assert len(appended) == 20
    entries = list(LedgerEntry.objects.all())
    assert [e.sequence for e in entries] == list(range(1, start + 21))
    assert sorted(e.payload["n"] for e in entries[start:]) == list(range(20))
    result = ledger.verify()
    assert result.intact, result
    assert result.count == start + 20
