"""Property-based tests of the API against its own OpenAPI schema."""

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import CHECKS, load_all_checks

from challenges.models import ProgressReport
from tests.factories import (
    ChallengeFactory,
    ObjectiveFactory,
    ProjectFactory,
    UserFactory,
    labelled_territory,
)

load_all_checks()
ALL_CHECKS = CHECKS.get_all()


@pytest.fixture
def api_schema(db, settings):
    """The schema as served, with data behind it (enums come from them)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from frenchimpact.wsgi import application

    # as Django's test client does: the test's transaction stays open
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.API_RATE = None
    territory = labelled_territory(slug="territoire-ledonien", departments=["39"])
    objective = ObjectiveFactory(
        project=ProjectFactory(challenge=ChallengeFactory(territory=territory))
    )
    ProgressReport.objects.create(
        objective=objective,
        reported_on=dt.date(2020, 1, 1),
        value=3,
        comment="Mesure",
        created_by=UserFactory(),
    )
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(api_schema):
    """Every operation, with every check on: no 5xx, every status and body as
    documented, valid data accepted, invalid data refused."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=12,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case):
            case.call_and_validate(checks=ALL_CHECKS)

        check()
