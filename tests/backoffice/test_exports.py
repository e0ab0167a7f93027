"""Staff exports of a wave (candidacies, reviewers) and of a candidacy's
audit trail, as CSV and XLSX, read back and checked."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Role
from reviews import services
from reviews.models import Assignment
from tests.factories import (
    UserFactory,
    candidacy_under_review,
    reviewed,
    wave_with_grid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF, is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _rows(response, fmt):
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return [
        ["" if v is None else v for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def _world(staff, extra=0):
    """A wave: one candidacy labelled (published), one under review whose
    name is a formula, ``extra`` more under review."""
    wave = wave_with_grid()
    labelled = candidacy_under_review(wave)
    labelled.territory_name = "Territoire Lédonien"
    labelled.save(update_fields=["territory_name"])
    reviewed(labelled, (5, 5), (4, 3), recommendation="label")
    decision = services.prepare_decision(
        candidacy=labelled, actor=staff, outcome="label", reasons="Un projet solide."
    )
    services.publish_decision(decision=decision, actor=staff)
    formula = candidacy_under_review(wave)
    formula.territory_name = '=HYPERLINK("http://evil.example","clic")'
    formula.lead_name = "@SUM(A1:A2)"
    formula.save(update_fields=["territory_name", "lead_name"])
    reviewed(formula, (1, 2), recommendation="reject")
    for _ in range(extra):
        reviewed(candidacy_under_review(wave), (3, 3), recommendation="reject")
    return wave, labelled, formula


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_wave_export_gives_scores_and_decisions(staff_client, staff, fmt):
    wave, labelled, formula = _world(staff)

    response = staff_client.get(
        reverse("reviews:wave_export", kwargs={"wave_pk": wave.pk, "fmt": fmt})
    )

    assert response.status_code == 200
    assert f"candidatures-vague-{wave.number}.{fmt}" in response["Content-Disposition"]
    header, *rows = _rows(response, fmt)
    assert header == [
        "Référence",
        "Territoire",
        "Structure porteuse",
        "État",
        "Déposée le",
        "Écosystème (moyenne)",
        "Gouvernance (moyenne)",
        "Note globale /100",
        "Rapports remis",
        "Recommandations « Labelliser »",
        "Recommandations « Labelliser sous conditions »",
        "Recommandations « Ne pas retenir »",
        "Décision",
        "Décision publiée le",
    ]
    by_reference = {row[0]: row for row in rows}
    row = by_reference[labelled.reference]
    assert row[1:4] == ["Territoire Lédonien", "Clus'Ter Jura", "Labellisée"]
    # (5,5) → 100 and (4,3) → 0.6*4/5+0.4*3/5 = 72: mean 86
    assert [float(v) for v in row[5:9]] == [4.5, 4.0, 86.0, 2]
    assert [int(v) for v in row[9:12]] == [2, 0, 0]
    assert row[12] == "Labellisé"
    assert row[13]  # the date of publication
    row = by_reference[formula.reference]
    assert row[1] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row[2] == "'@SUM(A1:A2)"
    assert row[12] == ""


def test_wave_export_xlsx_writes_formulas_as_text(staff_client, staff):
    wave, _labelled, _formula = _world(staff)

    response = staff_client.get(
        reverse("reviews:wave_export", kwargs={"wave_pk": wave.pk, "fmt": "xlsx"})
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert not any(str(c.value).startswith(("=", "+", "-", "@")) for c in cells)


def test_wave_export_query_count_does_not_depend_on_rows(
    staff_client, staff, django_assert_num_queries
):
    wave, *_ = _world(staff)
    url = reverse("reviews:wave_export", kwargs={"wave_pk": wave.pk, "fmt": "csv"})
    staff_client.get(url)  # session and user cached like the next ones

    with django_assert_num_queries(7) as few:
        staff_client.get(url)
    reviewed(candidacy_under_review(wave), (3, 3))
    reviewed(candidacy_under_review(wave), (2, 4), (4, 4))
    with django_assert_num_queries(len(few.captured_queries)):
        staff_client.get(url)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reviewers_export_counts_each_reviewers_work(staff_client, staff, fmt):
    wave, labelled, _formula = _world(staff)
    busy = labelled.assignments.select_related("reviewer").first().reviewer
    other = candidacy_under_review(wave)
    services.assign_reviewer(candidacy=other, reviewer=busy, actor=staff)
    conflicted = candidacy_under_review(wave)
    assignment = services.assign_reviewer(
        candidacy=conflicted, reviewer=busy, actor=staff
    )
    services.declare_interests(
        assignment=assignment,
        user=busy,
        has_conflict=True,
        reason="Salariée du porteur",
    )

    response = staff_client.get(
        reverse(
            "reviews:wave_reviewers_export", kwargs={"wave_pk": wave.pk, "fmt": fmt}
        )
    )

    header, *rows = _rows(response, fmt)
    assert header[2:] == [
        "Affectations",
        "Rapports remis",
        "Rapports en attente",
        "Conflits d'intérêts déclarés",
        "Note moyenne /100",
    ]
    by_email = {row[1]: row for row in rows}
    assert len(by_email) == Assignment.objects.values("reviewer").distinct().count()
    assert [float(v) for v in by_email[busy.email][2:]] == [3, 1, 1, 1, 100.0]


def test_reviewers_export_query_count_does_not_depend_on_rows(
    staff_client, staff, django_assert_num_queries
):
    wave, *_ = _world(staff)
    url = reverse(
        "reviews:wave_reviewers_export", kwargs={"wave_pk": wave.pk, "fmt": "xlsx"}
    )
    staff_client.get(url)

    with django_assert_num_queries(6) as few:
        staff_client.get(url)
    reviewed(candidacy_under_review(wave), (3, 3), (2, 2), (5, 1))
    with django_assert_num_queries(len(few.captured_queries)):
        staff_client.get(url)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_audit_export_lists_the_candidacys_entries(staff_client, staff, fmt):
    _wave, labelled, _formula = _world(staff)

    response = staff_client.get(
        reverse(
            "reviews:candidacy_audit_export", kwargs={"pk": labelled.pk, "fmt": fmt}
        )
    )

    header, *rows = _rows(response, fmt)
    assert header == [
        "Date",
        "Auteur",
        "Action",
        "État de départ",
        "État d'arrivée",
        "Commentaire",
    ]
    actions = [row[2] for row in rows]
    assert actions[:2] == [
        "applications.candidacy.created",
        "applications.candidacy.submitted",
    ]
    assert "reviews.decision.published" in actions
    published = next(r for r in rows if r[4] == "Labellisée")
    assert published[1] == staff.email
    assert published[3] == "En instruction"
    assert published[5] == "Un projet solide."


def test_audit_export_query_count_does_not_depend_on_rows(
    staff_client, staff, django_assert_num_queries
):
    _wave, labelled, _formula = _world(staff)
    url = reverse(
        "reviews:candidacy_audit_export", kwargs={"pk": labelled.pk, "fmt": "csv"}
    )
    staff_client.get(url)

    with django_assert_num_queries(4) as few:
        staff_client.get(url)
    for body in ("Bonjour", "Pièce manquante ?", "Merci"):
        services.post_message(candidacy=labelled, author=staff, body=body)
    services.request_expert_opinion(
        candidacy=labelled,
        expert=UserFactory(role=Role.EXPERT),
        actor=staff,
        question="Un avis ?",
        due_on=labelled.submitted_at.date().replace(year=2100),
    )
    with django_assert_num_queries(len(few.captured_queries)):
        staff_client.get(url)


@pytest.mark.parametrize(
    "name", ["reviews:wave_export", "reviews:wave_reviewers_export"]
)
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.EXPERT])
def test_wave_exports_are_refused_to_others(client, staff, name, role):
    wave, *_ = _world(staff)
    client.force_login(UserFactory(role=role))

    response = client.get(reverse(name, kwargs={"wave_pk": wave.pk, "fmt": "csv"}))

    assert response.status_code == 403
    assert b"Territoire L" not in response.content


def test_audit_export_is_refused_to_the_team_and_anonymous(client, staff):
    _wave, labelled, _formula = _world(staff)
    url = reverse(
        "reviews:candidacy_audit_export", kwargs={"pk": labelled.pk, "fmt": "csv"}
    )

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(labelled.created_by)
    response = client.get(url)
    assert response.status_code == 403
    assert b"reviews.decision" not in response.content


def test_export_in_an_unknown_format_is_a_404(staff_client, staff):
    wave, *_ = _world(staff)

    response = staff_client.get(
        reverse("reviews:wave_export", kwargs={"wave_pk": wave.pk, "fmt": "pdf"})
    )

    assert response.status_code == 404


def test_wave_page_links_to_the_exports(staff_client, staff):
    wave, labelled, _formula = _world(staff)

    body = staff_client.get(reverse("reviews:wave", args=[wave.pk])).content.decode()
    assert (
        reverse("reviews:wave_export", kwargs={"wave_pk": wave.pk, "fmt": "xlsx"})
        in body
    )
    assert (
        reverse(
            "reviews:wave_reviewers_export", kwargs={"wave_pk": wave.pk, "fmt": "csv"}
        )
        in body
    )
    body = staff_client.get(
        reverse("reviews:candidacy", args=[labelled.pk])
    ).content.decode()
    assert (
        reverse(
            "reviews:candidacy_audit_export", kwargs={"pk": labelled.pk, "fmt": "xlsx"}
        )
        in body
    )
