import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.enums import CandidacyState
from applications.models import Candidacy, Receipt
from frenchimpact.enums import DocumentStatus
from tests.factories import UserFactory, candidacy_for, complete, open_wave

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_incomplete_candidacy_cannot_be_submitted():
    candidacy = candidacy_for()
    lead = candidacy.created_by

    with pytest.raises(services.CandidacyError, match="incomplète"):
        services.submit_candidacy(candidacy_id=candidacy.pk, user=lead)
    assert Candidacy.objects.get(pk=candidacy.pk).state == CandidacyState.DRAFT


def test_submission_creates_receipt_and_acknowledgment(
    django_capture_on_commit_callbacks, mailoutbox_rows
):
    candidacy = complete(candidacy_for())
    lead = candidacy.created_by

    with django_capture_on_commit_callbacks(execute=True):
        candidacy, deposited = services.submit_candidacy(
            candidacy_id=candidacy.pk, user=lead
        )

    assert deposited and candidacy.state == CandidacyState.SUBMITTED
    receipt = Receipt.objects.get(candidacy=candidacy)
    assert receipt.number == 1
    assert len(receipt.content_hash) == 64
    assert receipt.content_hash == services.content_hash(receipt.snapshot)
    assert receipt.status == DocumentStatus.READY
    assert receipt.file.read(5) == b"%PDF-"
    email = mailoutbox_rows()[-1]
    assert email.to == [lead.email]
    assert candidacy.reference in email.subject
    assert receipt.content_hash in email.body
    assert email.status == "sent"


def test_receipt_pdf_names_the_candidacy_and_its_hash(
    django_capture_on_commit_callbacks,
):
    from pypdf import PdfReader

    candidacy = complete(candidacy_for())
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_candidacy(candidacy_id=candidacy.pk, user=candidacy.created_by)

    receipt = Receipt.objects.get(candidacy=candidacy)
    text = "".join(page.extract_text() for page in PdfReader(receipt.file).pages)
    assert candidacy.reference in text
    assert "Pays de Démonstration" in text
    assert receipt.content_hash[:32] in text.replace("\n", "")


def test_double_submit_deposits_once(django_capture_on_commit_callbacks):
    candidacy = complete(candidacy_for())
    lead = candidacy.created_by

    with django_capture_on_commit_callbacks(execute=True):
        first = services.submit_candidacy(candidacy_id=candidacy.pk, user=lead)[1]
        second = services.submit_candidacy(candidacy_id=candidacy.pk, user=lead)[1]

    assert (first, second) == (True, False)
    assert Receipt.objects.filter(candidacy=candidacy).count() == 1


def test_co_editor_cannot_submit():
    candidacy = complete(candidacy_for())
    co_editor = UserFactory()
    candidacy.memberships.create(user=co_editor, role="co_editor")

    with pytest.raises(services.CandidacyError, match="responsable"):
        services.submit_candidacy(candidacy_id=candidacy.pk, user=co_editor)
    assert Candidacy.objects.get(pk=candidacy.pk).state == CandidacyState.DRAFT


def next_paris_midnight(days_ahead: int = 3) -> dt.datetime:
    """A Paris midnight a few days from now: the permission rules read the
    real clock, so the wave must still be open today (a fixed date in the
    tests expires with the calendar)."""
    today = dt.datetime.now(PARIS).date() + dt.timedelta(days=days_ahead)
    return dt.datetime(today.year, today.month, today.day, tzinfo=PARIS)


@pytest.mark.parametrize(
    "offset, accepted",
    [
        (dt.timedelta(seconds=-1), True),  # 23:59:59 the day before
        (dt.timedelta(0), False),  # midnight: closed
        (dt.timedelta(minutes=30), False),
    ],
)
def test_deadline_is_midnight_in_paris(offset, accepted):
    closes = next_paris_midnight()
    when = closes + offset
    wave = open_wave()
    candidacy = complete(candidacy_for(wave=wave))
    wave.closes_at = closes
    wave.opens_at = closes - dt.timedelta(days=90)
    wave.save()

    if accepted:
        services.submit_candidacy(
            candidacy_id=candidacy.pk, user=candidacy.created_by, at=when
        )
        assert Candidacy.objects.get(pk=candidacy.pk).state == "submitted"
    else:
        with pytest.raises(services.CandidacyError, match="date limite"):
            services.submit_candidacy(
                candidacy_id=candidacy.pk, user=candidacy.created_by, at=when
            )
        assert Candidacy.objects.get(pk=candidacy.pk).state == "draft"


def test_wave_open_boundaries_are_instants():
    closes = dt.datetime(2026, 12, 1, 0, 0, tzinfo=PARIS)
    wave = open_wave(opens_at=closes - dt.timedelta(days=1), closes_at=closes)

    assert wave.is_open(closes - dt.timedelta(seconds=1))
    assert not wave.is_open(closes)
    assert closes.astimezone(dt.UTC).hour == 23  # 1 December 00:00 in Paris


def test_resubmission_after_changes_requested_gets_second_receipt(
    django_capture_on_commit_callbacks,
):
    candidacy = complete(candidacy_for())
    lead = candidacy.created_by
    staff = UserFactory(role="staff")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_candidacy(candidacy_id=candidacy.pk, user=lead)
    services.transition(candidacy_id=candidacy.pk, to_state="under_review", actor=staff)
    services.transition(
        candidacy_id=candidacy.pk, to_state="changes_requested", actor=staff
    )

    with django_capture_on_commit_callbacks(execute=True):
        candidacy, deposited = services.submit_candidacy(
            candidacy_id=candidacy.pk, user=lead
        )

    assert deposited and candidacy.state == CandidacyState.RESUBMITTED
    assert list(candidacy.receipts.values_list("number", flat=True)) == [1, 2]


def test_withdraw_by_lead_only():
    candidacy = candidacy_for()
    outsider_member = UserFactory()
    candidacy.memberships.create(user=outsider_member, role="co_editor")

    with pytest.raises(services.CandidacyError):
        services.withdraw_candidacy(candidacy_id=candidacy.pk, user=outsider_member)
    services.withdraw_candidacy(candidacy_id=candidacy.pk, user=candidacy.created_by)
    assert Candidacy.objects.get(pk=candidacy.pk).state == "withdrawn"


def test_create_candidacy_refused_when_wave_closed():
    now = dt.datetime.now(tz=PARIS)
    wave = open_wave(
        opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=1)
    )

    with pytest.raises(services.CandidacyError, match="n'accepte pas"):
        services.create_candidacy(wave=wave, user=UserFactory())


def test_attachment_count_is_limited(settings):
    settings.UPLOAD_MAX_FILES = 1
    candidacy = candidacy_for()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    services.add_attachment(
        candidacy_id=candidacy.pk,
        user=candidacy.created_by,
        uploaded_file=SimpleUploadedFile("a.pdf", pdf),
    )

    with pytest.raises(services.CandidacyError, match="1 pièces jointes au plus"):
        services.add_attachment(
            candidacy_id=candidacy.pk,
            user=candidacy.created_by,
            uploaded_file=SimpleUploadedFile("b.pdf", pdf),
        )
    assert candidacy.attachments.count() == 1


HOSTILE = '<img src="file:///etc/passwd"><link href="http://127.0.0.1:9/">'


def test_hostile_text_reaches_documents_as_text_only(
    django_capture_on_commit_callbacks,
):
    """User text in every field of the receipt is escaped: the renderer sees
    text, never an element that would fetch a file or an address."""
    from pypdf import PdfReader

    candidacy = complete(candidacy_for())
    Candidacy.objects.filter(pk=candidacy.pk).update(
        territory_name="Pays " + HOSTILE, lead_name=HOSTILE
    )
    candidacy.challenges.update(title=HOSTILE)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_candidacy(candidacy_id=candidacy.pk, user=candidacy.created_by)

    receipt = Receipt.objects.get(candidacy=candidacy)
    text = "".join(p.extract_text() for p in PdfReader(receipt.file).pages)
    flat = text.replace("\n", "")
    assert flat.count('<img src="file:///etc/passwd">') >= 3
    assert "root:x:0:0" not in text
