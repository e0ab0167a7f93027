import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.enums import Theme
from territories.enums import LabelStatus, TerritoryKind
from tests.factories import (
    ChallengeFactory,
    LabelFactory,
    TerritoryFactory,
    WaveFactory,
    labelled_territory,
)

pytestmark = pytest.mark.django_db
URL = reverse("territories:directory")


def names(response):
    return [t.name for t in response.context["page_obj"].object_list]


def test_directory_lists_only_public_labels(client):
    active = labelled_territory(name="Pays Actif")
    conditional = TerritoryFactory(name="Pays Conditionnel")
    LabelFactory(territory=conditional, status=LabelStatus.CONDITIONAL)
    for status in (LabelStatus.SUSPENDED, LabelStatus.REVOKED, LabelStatus.EXPIRED):
        LabelFactory(territory=TerritoryFactory(name=f"Pays {status}"), status=status)
    TerritoryFactory(name="Pays Candidat")  # never labelled

    response = client.get(URL)

    assert names(response) == [active.name, conditional.name]
    assert "Pays Candidat" not in response.content.decode()
    assert "Pays suspended" not in response.content.decode()


@pytest.mark.parametrize("query", ["ledonien", "LÉDONIEN", "lédonien", "  Ledonien "])
def test_search_ignores_accents_and_case(client, query):
    labelled_territory(name="Territoire Lédonien")
    labelled_territory(name="Pays de Grasse")

    response = client.get(URL, {"q": query})

    assert names(response) == ["Territoire Lédonien"]


def test_search_finds_lead_organisation_and_priority_area(client):
    territory = labelled_territory(name="Pays Lédonien")
    territory.lead_organisation.name = "Clus'Ter Jura"
    territory.lead_organisation.save()
    territory.priority_areas.create(name="Bresse Jurassienne")
    from territories.services import refresh_search_text

    refresh_search_text(territory=territory)

    assert names(client.get(URL, {"q": "cluster"})) == ["Pays Lédonien"]
    assert names(client.get(URL, {"q": "Clus’Ter"})) == ["Pays Lédonien"]
    assert names(client.get(URL, {"q": "bresse jurassienne"})) == ["Pays Lédonien"]


def test_search_with_html_and_sql_is_harmless_and_escaped(client):
    labelled_territory(name="Territoire Lédonien")
    hostile = "<script>alert(1)</script>' OR 1=1 --"

    response = client.get(URL, {"q": hostile})

    body = response.content.decode()
    assert response.status_code == 200
    assert names(response) == []
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_filter_by_region(client):
    labelled_territory(name="Jura", departments=["39"])
    labelled_territory(name="Bretagne", departments=["29", "35"])

    assert names(client.get(URL, {"region": "53"})) == ["Bretagne"]
    assert names(client.get(URL, {"region": "27"})) == ["Jura"]


def test_filter_choices_are_those_of_labelled_territories_in_model_order(client):
    wave_1, wave_2 = WaveFactory(number=1, name="Vague 1"), WaveFactory(number=2)
    labelled_territory(name="Jura", departments=["39"], wave=wave_2)
    labelled_territory(name="Bretagne", departments=["35", "29"], wave=wave_1)
    labelled_territory(name="Paris", departments=["75"], wave=wave_1)
    candidate = TerritoryFactory(name="Candidat", departments=["13"])
    LabelFactory(territory=candidate, status=LabelStatus.REVOKED, wave=wave_1)

    form = client.get(URL).context["filter"].form

    def choices(name):
        return [(str(value), str(label)) for value, label in form[name].field.choices]

    # régions by name (accents aside), départements by code, "all" first
    assert [value for value, _label in choices("region")] == ["", "27", "53", "11"]
    assert choices("region")[2] == ("53", "Bretagne")
    assert choices("region")[3] == ("11", "Île-de-France")
    assert [value for value, _label in choices("departement")] == [
        "",
        "29",
        "35",
        "39",
        "75",
    ]
    assert choices("departement")[1] == ("29", "Finistère (29)")
    assert ("1", "Vague 1") in choices("wave")
    assert {value for value, _label in choices("wave")} == {"", "1", "2"}


def test_filter_by_kind(client):
    labelled_territory(name="Région", kind=TerritoryKind.REGION)
    labelled_territory(name="Métropole", kind=TerritoryKind.METROPOLE)

    assert names(client.get(URL, {"kind": "metropole"})) == ["Métropole"]


def test_filter_by_wave(client):
    wave_1, wave_2 = WaveFactory(number=1), WaveFactory(number=2)
    labelled_territory(name="Première", wave=wave_1)
    labelled_territory(name="Seconde", wave=wave_2)

    assert names(client.get(URL, {"wave": "2"})) == ["Seconde"]


def test_filter_by_challenge_theme(client):
    habitat = labelled_territory(name="Habitat")
    ChallengeFactory(territory=habitat, theme=Theme.HABITAT)
    ChallengeFactory(territory=habitat, theme=Theme.HABITAT)  # no duplicate row
    emploi = labelled_territory(name="Emploi")
    ChallengeFactory(territory=emploi, theme=Theme.EMPLOI)

    assert names(client.get(URL, {"theme": "habitat"})) == ["Habitat"]


@pytest.mark.parametrize(
    "params",
    [
        {"region": "zz"},
        {"kind": "empire"},
        {"wave": "999"},
        {"wave": "abc"},
        {"theme": "<b>"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"q": "x" * 500},
        {"q": "\x00\x1f"},
    ],
)
def test_unknown_filter_values_are_ignored_with_a_message(client, params):
    labelled_territory(name="Territoire Lédonien")

    response = client.get(URL, params)

    assert response.status_code == 200
    assert "Territoire Lédonien" in response.content.decode()


def test_unknown_filter_value_shows_error_on_its_field(client):
    response = client.get(URL, {"kind": "empire"})

    body = response.content.decode()
    assert "Certains critères n'ont pas été compris" in body
    assert 'id="id_kind-error"' in body
    assert 'aria-describedby="id_kind-error"' in body


def test_pagination_keeps_filters(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(5):
        labelled_territory(name=f"Pays {n}", kind=TerritoryKind.PAYS)

    response = client.get(URL, {"kind": "pays", "page": 2})

    assert names(response) == ["Pays 2", "Pays 3"]
    assert "?kind=pays&amp;page=3" in response.content.decode()


def test_map_shows_a_link_per_labelled_territory(client):
    labelled_territory(name="Territoire Lédonien", slug="territoire-ledonien")
    labelled_territory(name="Mayotte", slug="mayotte", departments=["976"])

    body = client.get(URL).content.decode()

    assert body.count('class="fi-map__marker"') == 2
    assert (
        'href="/territoires/territoire-ledonien/" aria-label="Territoire Lédonien"'
        in body
    )
    assert 'href="/territoires/mayotte/" aria-label="Mayotte"' in body


def test_map_groups_territories_of_the_same_departements(client):
    labelled_territory(name="Est Ensemble", departments=["93"])
    labelled_territory(name="Territoire Olympique 2024", departments=["93"])

    body = client.get(URL).content.decode()

    assert body.count('class="fi-map__marker"') == 1
    assert (
        'href="/territoires/?departement=93" '
        'aria-label="2 territoires : Est Ensemble, Territoire Olympique 2024"'
    ) in body
    assert names(client.get(URL, {"departement": "93"})) == [
        "Est Ensemble",
        "Territoire Olympique 2024",
    ]


def _count_queries(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params, expected",
    # the count, the map's markers, the three filters' choices (one UNION),
    # the page and its two prefetches (régions, labels); filtering on a
    # région adds none (its code is checked against the choices)
    [({}, 6), ({"q": "territoire", "region": "27"}, 6)],
)
def test_directory_query_count_does_not_grow_with_territories(client, params, expected):
    wave = WaveFactory()
    for _ in range(2):
        labelled_territory(wave=wave)
    small = _count_queries(client, params)
    for _ in range(198):
        labelled_territory(wave=wave)
    large = _count_queries(client, params)

    assert small == large == expected
