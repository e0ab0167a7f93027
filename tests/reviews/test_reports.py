from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.enums import Role
from reviews import reports, services
from reviews.models import ReviewReport
from tests.factories import UserFactory, candidacy_under_review, reviewed

pytestmark = pytest.mark.django_db


def text_of(response):
    content = b"".join(response.streaming_content)
    return "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)


def test_team_gets_anonymised_report_when_decision_published(
    client, django_capture_on_commit_callbacks
):
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = candidacy_under_review()
    first, second = reviewed(candidacy, (4, 3), (2, 5))
    first.scores.update(comment="Un écosystème dense", shared=True)
    second.scores.update(comment="Note interne", shared=False)
    decision = services.prepare_decision(
        candidacy=candidacy, actor=staff, outcome="label", reasons="Projet solide."
    )
    client.force_login(candidacy.created_by)
    url = reverse("reviews:team_report", args=[candidacy.pk])
    assert client.get(url).status_code == 404  # not before publication

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_decision(decision=decision, actor=staff)

    response = client.get(url)
    assert response.status_code == 200, list(
        ReviewReport.objects.values("audience", "status", "error")
    )
    text = text_of(response)
    assert "Rapporteur 1" in text and "Rapporteur 2" in text
    assert str(first.assignment.reviewer) not in text
    assert "Un écosystème dense" in text
    assert "Note interne" not in text
    assert "Projet solide." in text
    assert "Moyenne de la vague" in text
    page = client.get(candidacy.get_absolute_url()).content.decode()
    assert (
        "Rapport d&#x27;instruction (PDF)" in page
        or "Rapport d'instruction (PDF)" in page
    )

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reviews:staff_report", args=[candidacy.pk]))
    staff_text = text_of(
        client.get(reverse("reviews:staff_report", args=[candidacy.pk]))
    )
    assert str(first.assignment.reviewer) in staff_text
    assert "Note interne" in staff_text


def test_outsider_cannot_get_the_report(client, django_capture_on_commit_callbacks):
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_decision(
            decision=services.prepare_decision(
                candidacy=candidacy, actor=staff, outcome="reject", reasons="Non"
            ),
            actor=staff,
        )
    client.force_login(UserFactory())

    assert (
        client.get(reverse("reviews:team_report", args=[candidacy.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("reviews:staff_report", args=[candidacy.pk])).status_code
        == 403
    )


def test_chart_is_plain_svg_with_escaped_titles():
    class Criterion:
        title = "<script>alert(1)</script>"
        scale_max = 5

    svg = reports.chart_svg([{"criterion": Criterion(), "mean": 4.0, "wave_mean": 2.5}])

    assert svg.startswith("<svg") and "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "4/5" in svg and "2.5/5" in svg


def test_same_data_gives_one_report(django_capture_on_commit_callbacks):
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))

    with django_capture_on_commit_callbacks(execute=True):
        reports.request_review_report(candidacy=candidacy, audience="staff")
        reports.request_review_report(candidacy=candidacy, audience="staff")

    assert ReviewReport.objects.filter(candidacy=candidacy).count() == 1


def test_wave_report_ranks_candidacies_with_statistics(
    client, django_capture_on_commit_callbacks
):
    from tests.factories import wave_with_grid

    staff = UserFactory(role=Role.STAFF, is_staff=True)
    wave = wave_with_grid()
    low, high = candidacy_under_review(wave), candidacy_under_review(wave)
    reviewed(low, (1, 1), (5, 5))
    reviewed(high, (5, 4))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:wave", args=[wave.pk]), {"action": "wave_report"})
    response = client.get(reverse("reviews:wave_report", args=[wave.pk]))

    text = text_of(response)
    assert text.index(high.reference) < text.index(low.reference)
    assert "désaccord" in text
    assert "Bourgogne-Franche-Comté" in text  # statistics by région
    assert "Pays / PETR" in text  # and by kind of territory
    client.force_login(candidacy_under_review().created_by)
    assert client.get(reverse("reviews:wave_report", args=[wave.pk])).status_code == 403


def test_wave_report_context_queries_do_not_grow_with_candidacies():
    """Candidacies without région codes of their own (imported or made in the
    admin) take their territory's régions, fetched once for all of them."""
    from applications.models import Candidacy
    from tests.factories import TerritoryFactory, wave_with_grid

    def wave_of(size):
        wave = wave_with_grid()
        for _ in range(size):
            candidacy = candidacy_under_review(wave)
            Candidacy.objects.filter(pk=candidacy.pk).update(
                region_codes=[], territory=TerritoryFactory()
            )
        return wave

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = wave_of(1), wave_of(4)

    with CaptureQueriesContext(connection) as small_queries:
        small_context = reports.wave_report_context(small)
    with CaptureQueriesContext(connection) as large_queries:
        large_context = reports.wave_report_context(large)

    assert len(large_queries) == len(small_queries)
    # the territory's région (Bourgogne-Franche-Comté, from the Jura) is used
    assert [name for name, _ in large_context["by_region"]] == [
        "Bourgogne-Franche-Comté"
    ]
    assert large_context["by_region"][0][1]["count"] == 4
    assert small_context["by_region"][0][1]["count"] == 1
