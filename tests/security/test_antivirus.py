"""Antivirus hook of every uploaded file: pending, clean, infected, error,
the clamd client and the honest « no scanner » of local development."""

import datetime as dt
import socketserver
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from applications import services
from applications.models import Attachment
from frenchimpact import scanning
from frenchimpact.antivirus import ClamdScanner, NoScanner, ScanError
from frenchimpact.enums import ScanStatus
from frenchimpact.models import AuditEntry
from reviews import services as review_services
from tests.antivirus import EICAR, FakeClamd
from tests.factories import UserFactory, candidacy_for, candidacy_under_review

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# a well-formed PDF carrying the EICAR test string in a comment
INFECTED_PDF = b"%PDF-1.4\n% " + EICAR + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def clamd(settings):
    settings.ANTIVIRUS_BACKEND = "tests.antivirus.FakeClamd"
    FakeClamd.failing = False
    FakeClamd.scanned = []
    yield FakeClamd
    FakeClamd.failing = False


def upload(candidacy, content=PDF, name="note.pdf"):
    return services.add_attachment(
        candidacy_id=candidacy.pk,
        user=candidacy.created_by,
        uploaded_file=SimpleUploadedFile(name, content),
    )


def download(client, attachment):
    return client.get(
        reverse(
            "applications:attachment", args=[attachment.candidacy_id, attachment.pk]
        )
    )


def test_file_pending_scan_is_not_served_then_clean_is(
    client, clamd, django_capture_on_commit_callbacks
):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)
    with django_capture_on_commit_callbacks() as callbacks:
        attachment = upload(candidacy)

    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.PENDING
    pending = download(client, attachment)
    assert pending.status_code == 409
    assert "Analyse antivirus en cours" in pending.content.decode()

    for callback in callbacks:  # the commit: the task runs (eagerly)
        callback()

    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.CLEAN
    assert attachment.scanned_at is not None
    served = download(client, attachment)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF


def test_infected_file_is_deleted_marked_reported_and_never_served(
    client, clamd, django_capture_on_commit_callbacks, mailoutbox_rows
):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        attachment = upload(candidacy, content=INFECTED_PDF)
    stored = Attachment.objects.get(pk=attachment.pk)

    assert stored.scan_status == ScanStatus.INFECTED
    assert stored.scan_detail == "Eicar-Test-Signature"
    assert not stored.file
    assert not attachment.file.storage.exists(attachment.file.name or "x")
    response = download(client, stored)
    assert response.status_code == 410
    assert "contenait un virus" in response.content.decode()
    email = mailoutbox_rows()[-1]
    assert email.to == [candidacy.created_by.email]
    assert "note.pdf" in email.body and "Eicar-Test-Signature" in email.body
    entry = AuditEntry.objects.get(action="frenchimpact.upload.infected")
    assert entry.data["name"] == "note.pdf"


def test_scan_error_keeps_file_refused_then_sweep_retries(
    client, clamd, django_capture_on_commit_callbacks
):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)
    clamd.failing = True
    with django_capture_on_commit_callbacks(execute=True):
        attachment = upload(candidacy)
    attachment.refresh_from_db()

    assert attachment.scan_status == ScanStatus.ERROR
    assert attachment.scan_attempts == 1
    assert "unreachable" in attachment.scan_detail
    refused = download(client, attachment)
    assert refused.status_code == 409
    assert "encore abouti" in refused.content.decode()

    clamd.failing = False
    with django_capture_on_commit_callbacks(execute=True):
        assert scanning.sweep() == 1

    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.CLEAN
    assert attachment.scan_attempts == 2
    assert download(client, attachment).status_code == 200


def test_scan_task_is_idempotent(clamd, django_capture_on_commit_callbacks):
    candidacy = candidacy_for()
    with django_capture_on_commit_callbacks(execute=True):
        attachment = upload(candidacy)
    scans = len(clamd.scanned)

    assert scanning.scan_file(model="applications.Attachment", pk=attachment.pk) is None
    assert scanning.scan_file(model="applications.Attachment", pk=10**9) is None
    assert len(clamd.scanned) == scans


def test_sweep_requeues_lost_pending_and_older_unscanned_files(
    clamd, django_capture_on_commit_callbacks
):
    candidacy = candidacy_for()
    with django_capture_on_commit_callbacks(execute=False):
        lost = upload(candidacy)
    Attachment.objects.filter(pk=lost.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=10)
    )
    older = upload(candidacy, name="ancienne.pdf")  # committed callbacks dropped
    Attachment.objects.filter(pk=older.pk).update(scan_status=ScanStatus.UNSCANNED)

    with django_capture_on_commit_callbacks(execute=True):
        assert scanning.sweep() == 2

    assert set(
        Attachment.objects.filter(pk__in=[lost.pk, older.pk]).values_list(
            "scan_status", flat=True
        )
    ) == {ScanStatus.CLEAN}


def test_expert_attachment_is_scanned_too(
    client, clamd, django_capture_on_commit_callbacks
):
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    expert = UserFactory(role=Role.EXPERT)
    request = review_services.request_expert_opinion(
        candidacy=candidacy_under_review(),
        expert=expert,
        actor=staff,
        question="Le modèle économique est-il solide ?",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    with django_capture_on_commit_callbacks(execute=False):
        review_services.answer_expert_opinion(
            request=request,
            user=expert,
            answer="Oui.",
            uploaded_file=SimpleUploadedFile("avis.pdf", INFECTED_PDF),
        )
    client.force_login(staff)
    url = reverse("reviews:expert_attachment", args=[request.pk])

    assert client.get(url).status_code == 409
    scanning.scan_file(model="reviews.ExpertRequest", pk=request.pk)
    request.refresh_from_db()
    assert request.scan_status == ScanStatus.INFECTED
    assert client.get(url).status_code == 404  # the file is gone


def test_no_scanner_says_it_did_not_scan_and_only_in_debug(settings):
    candidacy = candidacy_for()
    settings.ANTIVIRUS_BACKEND = "frenchimpact.antivirus.NoScanner"
    settings.DEBUG = True

    attachment = upload(candidacy)

    assert attachment.scan_status == ScanStatus.UNSCANNED
    assert attachment.get_scan_status_display() == "Non analysé"
    assert attachment.scan_servable
    settings.DEBUG = False
    with pytest.raises(ScanError):
        NoScanner().scan(None)


def test_deploy_check_warns_about_no_scanner(settings):
    settings.ANTIVIRUS_BACKEND = "frenchimpact.antivirus.NoScanner"
    with pytest.raises(SystemCheckError, match=r"frenchimpact\.W001"):
        call_command(
            "check", "--deploy", "--fail-level", "WARNING", "--tag", "security"
        )


class _FakeClamdHandler(socketserver.BaseRequestHandler):
    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        buffer = b""
        while True:
            while len(buffer) < 4:
                buffer += self.request.recv(4096)
            size = struct.unpack("!L", buffer[:4])[0]
            buffer = buffer[4:]
            if size == 0:
                break
            while len(buffer) < size:
                buffer += self.request.recv(4096)
            data, buffer = data + buffer[:size], buffer[size:]
        if EICAR in data:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")


@pytest.fixture
def clamd_server():
    server = socketserver.TCPServer(("127.0.0.1", 0), _FakeClamdHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()


def test_clamd_client_speaks_instream(clamd_server):
    import io

    host, port = clamd_server
    scanner = ClamdScanner(host=host, port=port, timeout=5)

    assert scanner.scan(io.BytesIO(PDF * 20000)).status == ScanStatus.CLEAN
    infected = scanner.scan(io.BytesIO(PDF + EICAR))
    assert infected.status == ScanStatus.INFECTED
    assert infected.detail == "Eicar-Test-Signature"


def test_clamd_out_of_reach_is_a_scan_error():
    import io

    scanner = ClamdScanner(host="127.0.0.1", port=1, timeout=2)

    with pytest.raises(ScanError, match="unreachable"):
        scanner.scan(io.BytesIO(PDF))


def test_team_sees_the_scan_status_and_may_delete_an_infected_file(
    client, clamd, django_capture_on_commit_callbacks
):
    candidacy = candidacy_for()
    client.force_login(candidacy.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        attachment = upload(candidacy, content=INFECTED_PDF)

    page = client.get(candidacy.get_absolute_url()).content.decode()
    assert "Infecté, supprimé" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "applications:delete_attachment", args=[candidacy.pk, attachment.pk]
            )
        )
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
