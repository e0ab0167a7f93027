"""Personal data (RGPD): export, deletion of the account, retention."""

import datetime as dt
import json

import pytest
from axes.models import AccessLog
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import personal_data
from accounts.models import User
from applications import services
from applications.enums import CandidacyState, TeamRole
from applications.models import Attachment, Candidacy, TeamMembership
from frenchimpact.models import AuditEntry, EmailStatus, OutboundEmail
from reviews import services as review_services
from tests.factories import UserFactory, candidacy_for, complete

pytestmark = pytest.mark.django_db
PASSWORD = "motdepasse-solide-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_export_holds_the_persons_data_and_nothing_of_others(client):
    candidacy = complete(candidacy_for())
    lead = candidacy.created_by
    services.add_attachment(
        candidacy_id=candidacy.pk,
        user=lead,
        uploaded_file=SimpleUploadedFile("budget.pdf", PDF),
    )
    review_services.post_message(
        candidacy=candidacy, author=lead, body="Question sur le calendrier"
    )
    other = candidacy_for()
    other.perimeter = "Périmètre secret de l'autre équipe"
    other.save()
    client.force_login(lead)

    response = client.get(reverse("accounts:personal_data"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment;" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == lead.email
    assert data["team_memberships"] == [
        {
            "candidacy": candidacy.reference,
            "role": TeamRole.LEAD,
            "since": data["team_memberships"][0]["since"],
        }
    ]
    assert [c["reference"] for c in data["candidacies"]] == [candidacy.reference]
    assert data["candidacies"][0]["perimeter"] == candidacy.perimeter
    assert data["candidacies"][0]["contacts"]
    assert data["messages_written"][0]["body"] == "Question sur le calendrier"
    assert data["uploaded_files"][0]["name"] == "budget.pdf"
    assert "applications.candidacy.attachment_added" in {
        e["action"] for e in data["audit_entries"]
    }
    assert "Périmètre secret" not in response.content.decode()


def test_account_page_links_export_and_deletion(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("accounts:account")).content.decode()

    assert reverse("accounts:personal_data") in page
    assert reverse("accounts:delete_account") in page
    assert reverse("privacy") in page


def test_deletion_needs_the_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:delete_account"), {"password": "faux"})

    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email.endswith("@example.org")


def test_deletion_refused_while_only_lead_of_a_candidacy_in_progress(client):
    candidacy = candidacy_for()
    lead = candidacy.created_by
    client.force_login(lead)

    response = client.post(reverse("accounts:delete_account"), {"password": PASSWORD})

    assert response.status_code == 400
    assert candidacy.reference in response.content.decode()
    assert "responsable" in response.content.decode()
    lead.refresh_from_db()
    assert lead.is_active and lead.first_name


def test_deletion_anonymises_ends_sessions_and_keeps_programme_data(client):
    candidacy = candidacy_for()
    services.transition(
        candidacy_id=candidacy.pk,
        to_state=CandidacyState.WITHDRAWN,
        actor=candidacy.created_by,
    )
    lead = candidacy.created_by
    email = lead.email
    other_browser = type(client)()
    other_browser.force_login(lead)
    draft = candidacy_for()
    TeamMembership.objects.create(candidacy=draft, user=lead, role=TeamRole.CO_EDITOR)
    client.force_login(lead)

    response = client.post(reverse("accounts:delete_account"), {"password": PASSWORD})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.email != email and lead.email.endswith("@supprime.invalid")
    assert (lead.first_name, lead.last_name) == ("", "")
    assert not lead.is_active and not lead.has_usable_password()
    assert Candidacy.objects.filter(pk=candidacy.pk).exists()
    assert TeamMembership.objects.filter(candidacy=candidacy, user=lead).exists()
    assert not TeamMembership.objects.filter(candidacy=draft, user=lead).exists()
    assert AuditEntry.objects.filter(
        action="accounts.user.deleted", object_id=lead.pk
    ).exists()
    for browser in (client, other_browser):
        page = browser.get(reverse("applications:dashboard"))
        assert page.status_code == 302
        assert page["Location"].startswith(reverse("accounts:login"))


# --- retention ----------------------------------------------------------------


def test_unverified_accounts_deleted_after_the_period(settings):
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 30
    old = UserFactory(is_active=False)
    User.objects.filter(pk=old.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=31)
    )
    recent = UserFactory(is_active=False)
    active = UserFactory()
    User.objects.filter(pk=active.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=400)
    )

    assert personal_data.purge_unverified_accounts() == 1
    assert personal_data.purge_unverified_accounts() == 0  # idempotent

    assert not User.objects.filter(pk=old.pk).exists()
    assert User.objects.filter(pk__in=[recent.pk, active.pk]).count() == 2


def test_outbox_purged_after_the_period(settings):
    settings.RETENTION_OUTBOX_DAYS = 90
    old = timezone.now() - dt.timedelta(days=91)
    sent_long_ago = OutboundEmail.objects.create(
        to=["a@example.org"],
        subject="s",
        body="b",
        status=EmailStatus.SENT,
        sent_at=old,
    )
    sent_recently = OutboundEmail.objects.create(
        to=["b@example.org"],
        subject="s",
        body="b",
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
    )
    pending = OutboundEmail.objects.create(to=["c@example.org"], subject="s", body="b")
    OutboundEmail.objects.filter(pk=pending.pk).update(created_at=old)

    assert personal_data.purge_outbox() == 1

    assert set(OutboundEmail.objects.values_list("pk", flat=True)) == {
        sent_recently.pk,
        pending.pk,
    }
    assert sent_long_ago.pk not in OutboundEmail.objects.values_list("pk", flat=True)


@pytest.mark.parametrize(
    ("state", "purged"),
    [
        (CandidacyState.WITHDRAWN, True),
        (CandidacyState.REJECTED, True),
        (CandidacyState.DRAFT, False),
        (CandidacyState.LABELLED, False),
    ],
)
def test_closed_candidacies_attachments_deleted_after_the_period(
    settings, state, purged, django_capture_on_commit_callbacks
):
    settings.RETENTION_CLOSED_ATTACHMENTS_DAYS = 730
    candidacy = candidacy_for()
    attachment = Attachment(
        candidacy=candidacy,
        name="budget.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=candidacy.created_by,
    )
    attachment.file.save("budget.pdf", ContentFile(PDF), save=False)
    attachment.save()
    stored = attachment.file.name
    Candidacy.objects.filter(pk=candidacy.pk).update(
        state=state, updated_at=timezone.now() - dt.timedelta(days=731)
    )

    with django_capture_on_commit_callbacks(execute=True):
        count = personal_data.purge_closed_candidacy_attachments()

    assert count == (1 if purged else 0)
    assert Attachment.objects.filter(pk=attachment.pk).exists() is not purged
    assert attachment.file.storage.exists(stored) is not purged
    assert Candidacy.objects.filter(pk=candidacy.pk).exists()


def test_login_logs_purged_after_the_period(settings):
    settings.RETENTION_LOGIN_LOG_DAYS = 180
    old = AccessLog.objects.create(
        username="a@example.org", ip_address="192.0.2.1", user_agent="x"
    )
    AccessLog.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - dt.timedelta(days=181)
    )
    recent = AccessLog.objects.create(
        username="b@example.org", ip_address="192.0.2.2", user_agent="x"
    )

    assert personal_data.purge_login_logs() == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_retention_task_runs_every_purge_and_is_scheduled(settings):
    from accounts.tasks import task_enforce_retention

    assert settings.CELERY_BEAT_SCHEDULE["enforce-retention"]["task"] == (
        task_enforce_retention.name
    )
    result = task_enforce_retention.delay().get()
    assert set(result) == {
        "unverified_accounts",
        "outbox",
        "closed_attachments",
        "login_logs",
    }
