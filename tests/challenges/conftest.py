import datetime as dt

import pytest

from applications.enums import CandidacyState, TeamRole
from applications.models import Candidacy, TeamMembership
from challenges.models import ProgressReport
from tests.factories import (
    ChallengeFactory,
    ObjectiveFactory,
    ProjectFactory,
    UserFactory,
    WaveFactory,
    labelled_territory,
)


def team_member(territory, user=None):
    """A user on the team of the territory's labelled candidacy."""
    user = user or UserFactory()
    candidacy = Candidacy.objects.create(
        wave=WaveFactory(),
        reference=f"TFI-T-{territory.pk}-{user.pk}",
        territory=territory,
        territory_name=territory.name,
        state=CandidacyState.LABELLED,
        created_by=user,
    )
    TeamMembership.objects.create(candidacy=candidacy, user=user, role=TeamRole.LEAD)
    return user


def objective_of(territory, **kwargs):
    challenge = ChallengeFactory(territory=territory)
    return ObjectiveFactory(project=ProjectFactory(challenge=challenge), **kwargs)


def report(objective, on, value, user=None):
    return ProgressReport.objects.create(
        objective=objective,
        reported_on=on,
        value=value,
        created_by=user or UserFactory(),
    )


@pytest.fixture
def territory():
    return labelled_territory(name="Pays Lédonien de test")


@pytest.fixture
def member(territory):
    return team_member(territory)


@pytest.fixture
def objective(territory):
    return objective_of(
        territory,
        baseline=0,
        baseline_on=dt.date(2024, 1, 1),
        target=25,
        deadline=dt.date(2030, 12, 31),
    )
