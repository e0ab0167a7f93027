import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    """Tests are not rate-limited, except the one that proves the 429."""
    settings.API_RATE = None
