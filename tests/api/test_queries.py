"""Each list answers in the same number of queries for 2 and for 200 rows."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from challenges.models import ProgressReport
from tests.factories import (
    ChallengeFactory,
    ObjectiveFactory,
    ProjectFactory,
    UserFactory,
    WaveFactory,
    labelled_territory,
)

pytestmark = pytest.mark.django_db

# a count and a page, plus one query per prefetched relation
QUERIES = {
    "territories": 5,  # + régions, départements, public labels
    "labels": 2,
    "waves": 2,
    "challenges": 2,
    "projects": 2,
    "objectives": 2,
    "progress-reports": 2,
}


def _rows(n: int):
    wave = WaveFactory()
    author = UserFactory()
    for i in range(n):
        territory = labelled_territory(wave=wave, departments=["39", "01"])
        objective = ObjectiveFactory(
            project=ProjectFactory(challenge=ChallengeFactory(territory=territory))
        )
        ProgressReport.objects.create(
            objective=objective,
            reported_on=dt.date(2020, 1, 1),
            value=i,
            created_by=author,
        )
    for _ in range(n - 1):
        WaveFactory()  # as many waves as rows


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("rows", [2, 200])
def test_list_query_count_does_not_grow(
    name, rows, django_assert_num_queries, settings
):
    settings.API_RATE = None
    _rows(rows)
    client = APIClient()

    with django_assert_num_queries(QUERIES[name]):
        response = client.get(f"/api/v1/{name}/", {"page_size": 100})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] >= rows
    assert len(data["results"]) == min(data["count"], 100)
