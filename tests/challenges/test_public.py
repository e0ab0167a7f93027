"""Public pages of challenges and projects: progress as charts and tables,
only what is published, pinned queries."""

import datetime as dt

import pytest
from django.urls import reverse

from challenges.models import Challenge
from territories.enums import LabelStatus
from tests.factories import ChallengeFactory, TerritoryFactory

from .conftest import objective_of, report

pytestmark = pytest.mark.django_db


def test_project_page_shows_each_measure_as_chart_and_table(client, objective):
    report(objective, dt.date(2024, 6, 30), 6)
    report(objective, dt.date(2025, 6, 30), 11)

    page = client.get(objective.project.get_absolute_url()).content.decode()

    assert objective.statement in page
    assert "<svg" in page and "<polyline" in page
    assert "Mesures de l&#x27;indicateur" in page or "Mesures de l'indicateur" in page
    assert "30 juin 2025" in page and ">11<" in page
    assert "Cible 25" in page
    assert 'role="img"' in page


def test_challenge_page_shows_standing_of_objectives(client, objective):
    report(objective, dt.date(2025, 6, 30), 11)

    page = client.get(objective.project.challenge.get_absolute_url()).content.decode()

    assert objective.project.name in page
    assert "44 % du chemin" in page  # 11 of 25
    assert "En bonne voie" in page or "À risque" in page


def test_unpublished_challenge_and_its_projects_are_404(client, objective):
    Challenge.objects.filter(pk=objective.project.challenge_id).update(
        is_published=False
    )

    assert client.get(objective.project.challenge.get_absolute_url()).status_code == 404
    assert client.get(objective.project.get_absolute_url()).status_code == 404
    assert (
        objective.project.challenge.title
        not in client.get(reverse("challenges:list")).content.decode()
    )


def test_challenges_of_a_revoked_label_are_not_public(client, objective):
    objective.project.challenge.territory.labels.update(status=LabelStatus.REVOKED)

    assert client.get(objective.project.get_absolute_url()).status_code == 404


def test_list_filters_by_theme_and_rejects_unknown_values(client, territory):
    ChallengeFactory(territory=territory, title="Toits pour tous", theme="habitat")
    ChallengeFactory(territory=territory, title="Emplois pour tous", theme="emploi")

    page = client.get(reverse("challenges:list"), {"theme": "habitat"}).content.decode()
    assert "Toits pour tous" in page and "Emplois pour tous" not in page

    response = client.get(reverse("challenges:list"), {"theme": "<script>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "ont été ignorés" in body and "<script>" not in body


def test_national_totals_add_up_matching_units_only(client):
    first, second = TerritoryFactory(), TerritoryFactory()
    from tests.factories import LabelFactory

    LabelFactory(territory=first)
    LabelFactory(territory=second)
    a = objective_of(first, target=25)
    b = objective_of(second, target=15)  # same national indicator, same unit
    rate = objective_of(
        second, target=80, indicator__name="Taux d'insertion", indicator__unit="%"
    )
    report(a, dt.date(2025, 1, 1), 10)
    report(a, dt.date(2025, 6, 1), 12)  # only the latest counts
    report(b, dt.date(2025, 6, 1), 5)
    report(rate, dt.date(2025, 6, 1), 60)

    page = client.get(reverse("challenges:list")).content.decode()

    totals = page[page.index('id="totaux"') :]
    assert "Personnes professionnalisées" in totals
    assert ">17<" in totals and ">40<" in totals
    assert "Taux d&#x27;insertion" not in totals and "Taux d'insertion" not in totals


def _many_reports(objective, count):
    start = dt.date(2020, 1, 1)
    for day in range(count):
        report(objective, start + dt.timedelta(days=day), day)


@pytest.mark.parametrize("reports", [1, 40])
def test_public_pages_queries_do_not_grow_with_reports(
    client, objective, reports, django_assert_num_queries
):
    _many_reports(objective, reports)
    challenge = objective.project.challenge

    with django_assert_num_queries(3):  # challenge, projects, objectives
        client.get(challenge.get_absolute_url())
    with django_assert_num_queries(3):  # project, objectives, reports
        client.get(objective.project.get_absolute_url())
    with django_assert_num_queries(5):  # regions filter, count, page, regions, totals
        client.get(reverse("challenges:list"))
