"""Privileged sessions (staff, reviewers, experts) end after a while without
a request; applicants keep Django's usual session."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
IDLE = 1800


@pytest.fixture(autouse=True)
def _idle(settings):
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = IDLE
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.STAFF, "reviews:waves"),
        (Role.REVIEWER, "reviews:my_assignments"),
        (Role.EXPERT, "reviews:expert_requests"),
    ],
)
def test_privileged_session_expires_after_idle_time(client, role, page):
    user = UserFactory(role=role, is_staff=role == Role.STAFF)
    client.force_login(user)

    assert client.get(reverse(page)).status_code == 200
    row = session_row(client)
    remaining = (row.expire_date - timezone.now()).total_seconds()
    assert IDLE - 120 < remaining <= IDLE

    # time travel: the idle period has passed
    row.expire_date = timezone.now() - dt.timedelta(seconds=1)
    row.save()

    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_privileged_session_is_extended_by_activity(client):
    user = UserFactory(role=Role.REVIEWER)
    client.force_login(user)
    client.get(reverse("reviews:my_assignments"))
    session = client.session
    # as if the last extension had been 10 minutes ago
    session["_session_expiry"] = (
        timezone.now() + dt.timedelta(seconds=IDLE - 600)
    ).isoformat()
    session.save()

    assert client.get(reverse("reviews:my_assignments")).status_code == 200

    remaining = (session_row(client).expire_date - timezone.now()).total_seconds()
    assert remaining > IDLE - 120


def test_applicant_keeps_the_normal_session(client, settings):
    user = UserFactory(role=Role.APPLICANT)
    client.force_login(user)

    assert client.get(reverse("applications:dashboard")).status_code == 200

    row = session_row(client)
    remaining = (row.expire_date - timezone.now()).total_seconds()
    assert remaining > settings.SESSION_COOKIE_AGE - 120
    assert "_session_expiry" not in client.session
