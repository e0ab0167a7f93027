import datetime as dt

import pytest

from territories.enums import LabelStatus
from tests.factories import (
    ChallengeFactory,
    LabelFactory,
    ProjectFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db


def test_atom_feed_lists_newly_labelled_territories(client):
    territory = TerritoryFactory(name="Pays Lédonien")
    LabelFactory(territory=territory, awarded_on=dt.date(2020, 5, 4))
    LabelFactory(territory=TerritoryFactory(name="Retiré"), status=LabelStatus.REVOKED)

    response = client.get("/donnees-ouvertes/territoires-labellises.atom")
    body = response.content.decode()

    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Pays Lédonien" in body
    assert territory.get_absolute_url() in body
    assert "Retiré" not in body


def test_sitemap_lists_public_pages_only(client):
    territory = TerritoryFactory()
    LabelFactory(territory=territory)
    challenge = ChallengeFactory(territory=territory)
    project = ProjectFactory(challenge=challenge)
    hidden = TerritoryFactory()
    draft = ChallengeFactory(territory=territory, is_published=False)

    body = client.get("/sitemap.xml").content.decode()

    assert f"/territoires/{territory.slug}/" in body
    assert f"/defis/{challenge.pk}/" in body
    assert f"/defis/projets/{project.pk}/" in body
    assert "/donnees-ouvertes/" in body and "/mentions-legales/" in body
    assert f"/en/territoires/{territory.slug}/" in body
    assert f"/territoires/{hidden.slug}/" not in body
    assert f"/defis/{draft.pk}/" not in body
    assert "/compte/" not in body and "/admin/" not in body


def test_robots_txt(client):
    response = client.get("/robots.txt")
    body = response.content.decode()

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    for path in (
        "/admin/",
        "/compte/",
        "/instruction/",
        "/candidatures/",
        "/defis/suivi/",
        "/accompagnement/",
    ):
        assert f"Disallow: {path}\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
