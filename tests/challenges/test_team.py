"""The territory's team follows its challenges: objectives, measures with
evidence, the yearly campaign; other teams see nothing of it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from challenges.models import Indicator, Objective, ProgressReport
from frenchimpact.models import AuditEntry
from tests.applications.test_uploads import make_pdf
from tests.factories import UserFactory, labelled_territory

from .conftest import report, team_member

pytestmark = pytest.mark.django_db


def report_url(objective):
    return reverse("challenges:report_create", args=[objective.pk])


def test_team_records_a_measure_with_a_french_decimal_and_evidence(
    client, member, objective
):
    client.force_login(member)

    response = client.post(
        report_url(objective),
        {
            "reported_on": "2025-06-30",
            "value": "12,5",
            "comment": "Deux recrutements en cuisine centrale.",
            "evidence": SimpleUploadedFile("bilan.pdf", make_pdf(), "application/pdf"),
        },
    )

    assert response.status_code == 302
    saved = ProgressReport.objects.get(objective=objective)
    assert saved.value == Decimal("12.5") and saved.created_by == member
    assert saved.evidence_name == "bilan.pdf" and saved.kind == "pdf"
    assert AuditEntry.objects.filter(action="challenges.progress.recorded").exists()
    page = client.get(response.url).content.decode()
    assert "12,5" in page and "bilan.pdf" in page
    download = client.get(reverse("challenges:evidence", args=[saved.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reported_on": "2999-01-01", "value": "3"}, "reported_on", "dans le futur"),
        (
            {"reported_on": "2025-01-01", "value": "douze"},
            "value",
            "Saisissez un nombre",
        ),
        (
            {"reported_on": "2025-01-01", "value": "1e400"},
            "value",
            "Saisissez un nombre",
        ),
        ({"reported_on": "2023-06-01", "value": "3"}, "reported_on", "précéder"),
        ({"reported_on": "pas une date", "value": "3"}, "reported_on", "date valide"),
    ],
)
def test_bad_measure_is_refused_with_a_message_and_input_kept(
    client, member, objective, data, field, message
):
    client.force_login(member)

    response = client.post(report_url(objective), {**data, "comment": "Gardé"})

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Gardé" in body  # what was typed is still there
    assert not ProgressReport.objects.exists()


def test_hostile_evidence_refused_and_nothing_saved(client, member, objective):
    client.force_login(member)

    response = client.post(
        report_url(objective),
        {
            "reported_on": "2025-01-01",
            "value": "3",
            "evidence": SimpleUploadedFile(
                "bilan.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"
            ),
        },
    )

    assert response.status_code == 400
    assert "fr-error-text" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_second_measure_on_the_same_day_is_refused(client, member, objective):
    report(objective, dt.date(2025, 1, 1), 2)
    client.force_login(member)

    response = client.post(
        report_url(objective), {"reported_on": "2025-01-01", "value": "3"}
    )

    assert response.status_code == 400
    assert "existe déjà à cette date" in response.content.decode()
    assert ProgressReport.objects.get().value == 2


def objective_form(project, **overrides):
    data = {
        "statement": "Créer des emplois",
        "indicator_name": "Personnes professionnalisées",
        "unit": "personnes",
        "baseline": "0",
        "baseline_on": "2024-01-01",
        "target": "30",
        "deadline": "2027-12-31",
    }
    data.update(overrides)
    return data


def test_objective_in_another_unit_than_its_indicator_is_refused(
    client, member, objective
):
    client.force_login(member)
    url = reverse("challenges:objective_create", args=[objective.project_id])

    response = client.post(
        url, objective_form(objective.project, unit="heures", statement="Former")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "se mesure en personnes" in body
    assert 'value="Former"' in body
    assert Objective.objects.count() == 1

    response = client.post(url, objective_form(objective.project, target="30,5"))
    assert response.status_code == 302
    created = Objective.objects.latest("pk")
    assert created.indicator == objective.indicator and created.target == Decimal(
        "30.5"
    )


def test_deadline_before_baseline_is_refused(client, member, objective):
    client.force_login(member)

    response = client.post(
        reverse("challenges:objective_create", args=[objective.project_id]),
        objective_form(objective.project, deadline="2023-01-01"),
    )

    assert response.status_code == 400
    assert "L&#x27;échéance doit suivre" in response.content.decode()
    assert Objective.objects.count() == 1


def test_new_indicator_joins_the_catalogue(client, member, objective):
    client.force_login(member)

    client.post(
        reverse("challenges:objective_create", args=[objective.project_id]),
        objective_form(
            objective.project, indicator_name="Tonnes de déchets évitées", unit="tonnes"
        ),
    )

    assert Indicator.objects.get(name="Tonnes de déchets évitées").unit == "tonnes"


def test_team_creates_challenge_and_project_then_publishes(client, member, territory):
    client.force_login(member)

    client.post(
        reverse("challenges:challenge_create", args=[territory.slug]),
        {"title": "Mobilité rurale", "theme": "mobilite", "description": "Bouger"},
    )
    challenge = territory.challenges.get(title="Mobilité rurale")
    assert not challenge.is_published
    assert client.get(challenge.get_absolute_url()).status_code == 404

    client.post(
        reverse("challenges:project_create", args=[challenge.pk]),
        {"name": "Garage solidaire", "structure_kind": "association"},
    )
    client.post(
        reverse("challenges:challenge_edit", args=[challenge.pk]),
        {"title": "Mobilité rurale", "theme": "mobilite", "is_published": "on"},
    )

    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Garage solidaire" in page


def test_hostile_text_comes_back_escaped(client, member, territory):
    client.force_login(member)
    hostile = '<script>alert("x")</script>'

    client.post(
        reverse("challenges:challenge_create", args=[territory.slug]),
        {"title": hostile, "theme": "other", "is_published": "on"},
    )

    challenge = territory.challenges.get()
    for url in (
        challenge.get_absolute_url(),
        reverse("challenges:list"),
        reverse("challenges:team_territory", args=[territory.slug]),
    ):
        body = client.get(url).content.decode()
        assert hostile not in body
        assert "&lt;script&gt;" in body


# --- permissions -------------------------------------------------------------


@pytest.fixture
def other_team():
    return team_member(labelled_territory(name="Autre territoire"))


def test_other_team_gets_404_everywhere(client, other_team, territory, objective):
    measure = report(objective, dt.date(2025, 1, 1), 1)
    client.force_login(other_team)
    project, challenge = objective.project, objective.project.challenge

    for url in (
        reverse("challenges:team_territory", args=[territory.slug]),
        reverse("challenges:challenge_create", args=[territory.slug]),
        reverse("challenges:challenge_edit", args=[challenge.pk]),
        reverse("challenges:project_create", args=[challenge.pk]),
        reverse("challenges:project_edit", args=[project.pk]),
        reverse("challenges:objective_create", args=[project.pk]),
        reverse("challenges:objective_edit", args=[objective.pk]),
        report_url(objective),
        reverse("challenges:evidence", args=[measure.pk]),
    ):
        assert client.get(url).status_code == 404, url
        posted = client.post(url, {"title": "x", "value": "1"}).status_code
        assert posted in (404, 405), url  # 405: a page that is only read
    response = client.post(reverse("challenges:report_delete", args=[measure.pk]))
    assert response.status_code == 404
    assert ProgressReport.objects.filter(pk=measure.pk).exists()


def test_anonymous_is_sent_to_login(client, territory, objective):
    for url in (
        reverse("challenges:team"),
        reverse("challenges:team_territory", args=[territory.slug]),
        report_url(objective),
        reverse("challenges:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/" in response.url, url


def test_applicant_of_a_candidacy_not_labelled_is_no_team(client, territory):
    from tests.factories import candidacy_for

    candidacy = candidacy_for()
    candidacy.territory = territory
    candidacy.save()
    client.force_login(candidacy.created_by)

    url = reverse("challenges:team_territory", args=[territory.slug])
    assert client.get(url).status_code == 404
    assert territory.name not in client.get(reverse("challenges:team")).content.decode()


def test_staff_sees_every_territory_and_non_staff_no_dashboard(
    client, member, territory
):
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    client.force_login(staff)
    assert territory.name in client.get(reverse("challenges:team")).content.decode()
    url = reverse("challenges:team_territory", args=[territory.slug])
    assert client.get(url).status_code == 200

    client.force_login(member)
    assert client.get(reverse("challenges:dashboard")).status_code == 403


@pytest.mark.parametrize("reports", [1, 30])
def test_team_page_queries_do_not_grow_with_reports(
    client, member, objective, reports, django_assert_num_queries
):
    for day in range(reports):
        report(objective, dt.date(2024, 2, 1) + dt.timedelta(days=day), day)
    client.force_login(member)
    url = reverse(
        "challenges:team_territory", args=[objective.project.challenge.territory.slug]
    )

    # session, user, territory + challenges + projects + objectives + reports,
    # open campaign
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_today_is_an_accepted_date(client, member, objective):
    client.force_login(member)
    today = timezone.localdate().isoformat()

    response = client.post(report_url(objective), {"reported_on": today, "value": "1"})

    assert response.status_code == 302
    assert Objective.objects.get(pk=objective.pk).reports.count() == 1
