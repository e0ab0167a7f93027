"""Fixtures of the follow-up tests."""

import pytest

from accounts.enums import Role
from tests.factories import UserFactory

from .helpers import team_territory


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF, is_staff=True)


@pytest.fixture
def team():
    return team_territory()


@pytest.fixture
def other_team():
    return team_territory()
