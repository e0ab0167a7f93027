import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territories.enums import LabelStatus
from tests.factories import (
    ChallengeFactory,
    LabelFactory,
    ObjectiveFactory,
    ProjectFactory,
    TerritoryFactory,
    labelled_territory,
)

pytestmark = pytest.mark.django_db


def test_unknown_slug_gives_dsfr_404(client):
    response = client.get("/territoires/nulle-part/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page non trouvée" in body
    assert "fr-header" in body


def test_territory_without_public_label_is_not_published(client):
    territory = TerritoryFactory()
    LabelFactory(territory=territory, status=LabelStatus.REVOKED)

    assert client.get(territory.get_absolute_url()).status_code == 404


def test_territory_page_shows_label_lead_and_projects(client):
    territory = labelled_territory(name="Pays Test")
    territory.priority_areas.create(name="Bassin lédonien")
    objective = ObjectiveFactory(
        project__challenge__territory=territory,
        project__name="EA agrobiologique",
        target=25,
    )

    body = client.get(territory.get_absolute_url()).content.decode()

    assert "Pays Test" in body
    assert territory.lead_organisation.name in body
    assert "Bassin lédonien" in body
    assert "EA agrobiologique" in body
    assert objective.statement in body
    assert "cible : 25 personnes" in body
    assert "Vague" in body and "22 mars 2019" in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_territory_page_query_count_is_fixed(client):
    territory = labelled_territory()
    ObjectiveFactory(project__challenge__territory=territory)
    small = _queries(client, territory.get_absolute_url())
    for _ in range(4):
        challenge = ChallengeFactory(territory=territory)
        for _ in range(3):
            ObjectiveFactory.create_batch(
                2, project=ProjectFactory(challenge=challenge)
            )
    for _ in range(200):
        labelled_territory()  # other territories do not weigh on the page
    territory.priority_areas.create(name="Secteur")
    large = _queries(client, territory.get_absolute_url())

    assert small == large == 8
