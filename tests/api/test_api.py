import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from challenges.models import ProgressReport
from territories.enums import LabelStatus
from tests.factories import (
    ChallengeFactory,
    LabelFactory,
    ObjectiveFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    WaveFactory,
    candidacy_under_review,
    labelled_territory,
    reviewed,
)

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
LISTS = [
    "territories",
    "labels",
    "waves",
    "challenges",
    "projects",
    "objectives",
    "progress-reports",
]


def _url(name, **kwargs):
    return reverse(f"api:{name}-list", **kwargs)


def _published_tree(territory, *, reports=1):
    """A published challenge with a project, an objective and measures."""
    challenge = ChallengeFactory(territory=territory)
    project = ProjectFactory(challenge=challenge)
    objective = ObjectiveFactory(project=project)
    author = UserFactory()
    for day in range(reports):
        ProgressReport.objects.create(
            objective=objective,
            reported_on=dt.date(2020, 1, 1) + dt.timedelta(days=day),
            value=5 + day,
            comment="Première mesure à Lons-le-Saunier",
            created_by=author,
        )
    return objective


def test_territories_list_only_labelled_with_public_fields(api):
    shown = labelled_territory(name="Pays Lédonien", departments=["39"])
    shown.latitude, shown.longitude = 46.67, 5.55
    shown.save()
    TerritoryFactory(name="Sans label")
    suspended = TerritoryFactory(name="Suspendu")
    LabelFactory(territory=suspended, status=LabelStatus.SUSPENDED)

    data = api.get(_url("territories")).json()

    assert data["count"] == 1
    item = data["results"][0]
    assert item["slug"] == shown.slug
    assert item["name"] == "Pays Lédonien"
    assert item["departments"] == [{"code": "39", "name": "Jura"}]
    assert item["regions"][0]["code"] == "27"
    assert item["lead_organisation"] == {
        "name": shown.lead_organisation.name,
        "town": shown.lead_organisation.town,
    }
    assert "siret" not in json.dumps(item)
    assert item["labels"][0]["status"] == "active"
    assert item["latitude"] == 46.67


def test_territory_detail_by_slug_and_404_when_not_labelled(api):
    territory = labelled_territory()
    hidden = TerritoryFactory()

    assert (
        api.get(f"/api/v1/territories/{territory.slug}/").json()["slug"]
        == territory.slug
    )
    response = api.get(f"/api/v1/territories/{hidden.slug}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_labels_list_only_public_statuses(api):
    active = LabelFactory(status=LabelStatus.ACTIVE)
    conditional = LabelFactory(status=LabelStatus.CONDITIONAL)
    revoked = LabelFactory(status=LabelStatus.REVOKED)

    numbers = {item["number"] for item in api.get(_url("labels")).json()["results"]}

    assert numbers == {active.number, conditional.number}
    assert api.get(f"/api/v1/labels/{revoked.number}/").status_code == 404
    detail = api.get(f"/api/v1/labels/{active.number}/").json()
    assert detail["verification_url"].endswith(active.get_verification_url())


def test_waves_count_their_public_labels(api):
    wave = WaveFactory(name="Vague 1")
    LabelFactory(wave=wave)
    LabelFactory(wave=wave, status=LabelStatus.REVOKED)

    item = next(
        w for w in api.get(_url("waves")).json()["results"] if w["name"] == "Vague 1"
    )

    assert item["label_count"] == 1
    assert item["number"] == wave.number


def test_challenges_only_published_of_labelled_territories(api):
    territory = labelled_territory()
    published = ChallengeFactory(territory=territory, title="Emploi pour tous")
    ChallengeFactory(territory=territory, is_published=False)
    ChallengeFactory(territory=TerritoryFactory())  # not labelled

    titles = [c["title"] for c in api.get(_url("challenges")).json()["results"]]

    assert titles == ["Emploi pour tous"]
    assert (
        api.get(f"/api/v1/challenges/{published.pk}/").json()["territory"]
        == territory.slug
    )


def test_objectives_show_latest_measure_and_reports_no_evidence(api):
    objective = _published_tree(labelled_territory(), reports=3)

    item = api.get(_url("objectives")).json()["results"][0]
    assert item["id"] == objective.pk
    assert item["indicator"] == {
        "name": "Personnes professionnalisées",
        "unit": "personnes",
    }
    assert item["target"] == 25.0
    assert item["latest_value"] == 7.0
    assert item["latest_on"] == "2020-01-03"

    reports = api.get(_url("progress-reports"), {"objective": objective.pk}).json()
    assert [r["value"] for r in reports["results"]] == [5.0, 6.0, 7.0]
    assert set(reports["results"][0]) == {
        "id",
        "reported_on",
        "value",
        "comment",
        "objective",
        "project",
        "territory",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"departement": "39"}, {"jura"}),
        ({"region": "84"}, {"rhone"}),
        ({"kind": "pays"}, {"rhone"}),
        ({"theme": "mobilite"}, {"jura"}),
        ({"label_status": "conditional"}, {"rhone"}),
    ],
)
def test_territory_filters(api, params, expected):
    jura = labelled_territory(slug="jura", departments=["39"])
    ChallengeFactory(territory=jura, theme="mobilite")
    rhone = TerritoryFactory(slug="rhone", departments=["69"], kind="pays")
    LabelFactory(territory=rhone, status=LabelStatus.CONDITIONAL)

    slugs = {t["slug"] for t in api.get(_url("territories"), params).json()["results"]}

    assert slugs == expected


def test_territory_filter_by_wave_number(api):
    wave = WaveFactory()
    labelled_territory(slug="in-wave", wave=wave)
    labelled_territory(slug="other")

    data = api.get(_url("territories"), {"wave": wave.number}).json()

    assert [t["slug"] for t in data["results"]] == ["in-wave"]


def test_unknown_parameter_is_refused_with_allowed_list(api):
    response = api.get(_url("territories"), {"regoin": "27"})

    assert response.status_code == 400
    body = response.json()
    assert body["unknown_parameters"] == ["regoin"]
    assert "region" in body["allowed_parameters"]
    assert "page_size" in body["allowed_parameters"]


def test_unknown_filter_value_is_refused_with_allowed_values(api):
    response = api.get(_url("territories"), {"region": "99", "kind": "village"})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "27" in errors["region"]["allowed_values"]
    assert errors["region"]["value"] == "99"
    assert "pays" in errors["kind"]["allowed_values"]


def test_detail_refuses_query_parameters(api):
    territory = labelled_territory()

    response = api.get(f"/api/v1/territories/{territory.slug}/", {"x": "1"})

    assert response.status_code == 400
    assert response.json()["allowed_parameters"] == []


@pytest.mark.parametrize(
    "params", [{"page": "abc"}, {"page": "0"}, {"page_size": "1000"}]
)
def test_malformed_page_is_a_400(api, params):
    labelled_territory()

    response = api.get(_url("territories"), params)

    assert response.status_code == 400
    assert response.json()["parameter"] in params


def test_page_out_of_range_is_a_404_with_last_page(api):
    for _ in range(3):
        labelled_territory()

    response = api.get(_url("territories"), {"page": 3, "page_size": 2})

    assert response.status_code == 404
    assert response.json()["last_page"] == 2
    page2 = api.get(_url("territories"), {"page": 2, "page_size": 2}).json()
    assert page2["count"] == 3 and len(page2["results"]) == 1 and page2["pages"] == 2


def test_anonymous_clients_are_throttled(api, settings):
    settings.API_RATE = "3/minute"

    statuses = [api.get(_url("waves")).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api.get(_url("waves"))
    assert "Retry-After" in response.headers
    assert "detail" in response.json()


def test_writes_are_not_allowed(api):
    territory = labelled_territory()

    assert api.post(_url("territories"), {"name": "x"}).status_code == 405
    assert api.delete(f"/api/v1/territories/{territory.slug}/").status_code == 405


def test_nothing_private_is_reachable(api, django_capture_on_commit_callbacks):
    """Candidacies under review, reviews and scores, users and their e-mail
    addresses never appear, in any list, at any page size."""
    candidacy = candidacy_under_review()
    reviewed(candidacy, (5, 4), (3, 2))
    _published_tree(labelled_territory(name="Territoire public"))

    bodies = [
        api.get(_url(name), {"page_size": 100}).content.decode() for name in LISTS
    ]
    bodies.append(api.get("/api/v1/").content.decode())
    everything = "\n".join(bodies)

    assert "Territoire public" in everything
    assert not EMAIL.search(everything), EMAIL.search(everything)
    assert candidacy.reference not in everything
    assert "Pays de Démonstration" not in everything
    for word in ("score", "review", "candidac", "recommendation", "siret", "evidence"):
        assert word not in everything.lower()


def test_schema_and_docs_page_work_under_the_csp(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/territories/" in paths
    assert {"400", "404", "429"} <= set(
        paths["/api/v1/territories/"]["get"]["responses"]
    )

    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "<script>" not in html and "<script nonce" not in html
    assert "swagger-init.js" in html
    assert "unsafe-inline" not in docs.headers["Content-Security-Policy"]
    from django.contrib.staticfiles import finders

    for path in (
        "api/swagger-init.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ):
        assert finders.find(path), path
