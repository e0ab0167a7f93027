"""Text typed by users reaches every PDF as text: the certificate, the review
reports and the wave report never make the renderer fetch what it contains."""

import pytest
from pypdf import PdfReader

from accounts.enums import Role
from applications.models import Candidacy
from frenchimpact import pdf
from reviews import reports, services
from reviews.models import ReviewReport, WaveReport
from territories.models import Certificate
from tests.factories import UserFactory, candidacy_under_review, reviewed

pytestmark = pytest.mark.django_db

HOSTILE = '<img src="file:///etc/passwd"><link rel=stylesheet href="http://127.0.0.1:9/x.css">'
SEEN = "".join(HOSTILE.split())  # as extracted from the PDF, spaces aside


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the renderer asks for."""
    urls = []
    original = pdf.static_path

    def recording(url):
        urls.append(url)
        return original(url)

    monkeypatch.setattr(pdf, "static_path", recording)
    return urls


def text_of(document) -> str:
    document.file.open("rb")
    try:
        pages = PdfReader(document.file).pages
        return "".join("".join(page.extract_text().split()) for page in pages)
    finally:
        document.file.close()


def assert_only_static_files(urls):
    assert urls, "the renderer loaded no stylesheet or font at all"
    assert all(url.startswith(pdf.STATIC_BASE + "/static/") for url in urls), urls


def hostile_candidacy():
    candidacy = candidacy_under_review()
    Candidacy.objects.filter(pk=candidacy.pk).update(
        territory_name="Pays " + HOSTILE, lead_name="Asso " + HOSTILE
    )
    candidacy.refresh_from_db()
    return candidacy


def test_certificate_and_review_reports_show_hostile_text_as_text(
    fetched, django_capture_on_commit_callbacks
):
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = hostile_candidacy()
    first, _second = reviewed(candidacy, (4, 4), (3, 5))
    first.scores.update(comment="Avis " + HOSTILE, shared=True)
    decision = services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Motif " + HOSTILE
    )
    with django_capture_on_commit_callbacks(execute=True):
        _decision, label = services.publish_decision(decision=decision, actor=staff)
        reports.request_review_report(candidacy=candidacy, audience="staff")

    certificate = Certificate.objects.get(label=label)
    assert certificate.status == "ready", certificate.error
    text = text_of(certificate)
    assert "Pays" + SEEN in text
    assert "Asso" + SEEN in text

    for report in ReviewReport.objects.filter(candidacy=candidacy):
        assert report.status == "ready", report.error
        text = text_of(report)
        assert "Avis" + SEEN in text, report.audience
        assert "Motif" + SEEN in text, report.audience
    assert ReviewReport.objects.filter(candidacy=candidacy).count() == 2
    assert_only_static_files(fetched)


def test_wave_report_shows_hostile_territory_names_as_text(
    fetched, django_capture_on_commit_callbacks
):
    candidacy = hostile_candidacy()
    reviewed(candidacy, (4, 4))

    with django_capture_on_commit_callbacks(execute=True):
        reports.request_wave_report(wave=candidacy.wave)

    report = WaveReport.objects.get(wave=candidacy.wave)
    assert report.status == "ready", report.error
    assert "Pays" + SEEN in text_of(report)
    assert_only_static_files(fetched)
