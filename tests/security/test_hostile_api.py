"""The public API under hostile requests: it is read-only, so every write
answers 405 with a message; hostile query parameters answer 400 (or 404 for
a page past the last), never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from .test_hostile_input import (
    HOSTILE,
    PROFILE,
    SETTINGS,
    _record,
    controls,
    numbers,
)
from .test_permission_matrix import URLS

pytestmark = pytest.mark.django_db

API_URLS = sorted(name for name in URLS if name.startswith("api:"))
LIST_URLS = [name for name in API_URLS if name.endswith("-list")]
DETAIL_URLS = [name for name in API_URLS if name.endswith("-detail")]
PARAMETERS = [
    "region",
    "departement",
    "kind",
    "wave",
    "theme",
    "label_status",
    "status",
    "territory",
    "challenge",
    "project",
    "objective",
    "page",
    "page_size",
    "format",
    "ordering",
    "search",
]


# no huge strings here: a URL has a length limit before Django
query_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=100),
    controls,
    numbers,
    st.just("é" * 2000),
)


def _client():
    from django.core.cache import cache

    cache.clear()  # the rate limit counts per address
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("name", LIST_URLS + DETAIL_URLS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_with_a_message(world, name, method):
    url = reverse(name, kwargs=URLS[name].kwargs(world))
    response = getattr(_client(), method)(
        url, {"name": "<script>x</script>"}, content_type="application/json"
    )

    assert response.status_code == 405
    assert response.json()["detail"]
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("name", LIST_URLS)
def test_hostile_query_parameters_answer_400_not_500(world, name):
    url = reverse(name)
    statuses = {}

    # ten per endpoint: the seven list endpoints share their filter code
    @hypothesis_settings(parent=SETTINGS, max_examples=min(10, SETTINGS.max_examples))
    @given(
        st.dictionaries(
            st.sampled_from(PARAMETERS) | query_value.filter(lambda v: v != ""),
            st.lists(query_value, min_size=1, max_size=2),
            min_size=1,
            max_size=4,
        )
    )
    def send(query):
        response = _client().get(url, query)
        status = response.status_code
        statuses[status] = statuses.get(status, 0) + 1
        assert status in {200, 400, 404}, f"{status} for {query!r:.1000}"
        if status != 200:
            assert response.json()["detail"]

    send()
    _record(
        name,
        {
            "url": name,
            "examples": sum(statuses.values()),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "profile": PROFILE,
        },
    )
