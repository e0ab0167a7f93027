"""Twenty parallel requests for the same effect produce it exactly once."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as default_connection
from django.utils import timezone

from applications import services as applications
from applications.models import Receipt
from challenges import services as challenges
from challenges.models import CampaignSubmission, ProgressReport
from frenchimpact.models import AuditEntry, OutboundEmail
from territories.models import Certificate
from territories.services import request_certificate
from tests.challenges.conftest import objective_of, team_member
from tests.factories import UserFactory, candidacy_for, complete, labelled_territory

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = 20


def in_parallel(action):
    """Run ``action`` twenty times on eight threads, each with its own
    database connection; return what each call returned (or raised)."""

    def call(_n):
        from django.db import connection

        try:
            return action()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, range(CALLS)))
    default_connection.close()
    return results


def test_twenty_parallel_submissions_deposit_once():
    candidacy = complete(candidacy_for())

    results = in_parallel(
        lambda: applications.submit_candidacy(
            candidacy_id=candidacy.pk, user=candidacy.created_by
        )
    )

    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(1 for _candidacy, deposited in results if deposited) == 1
    assert Receipt.objects.filter(candidacy=candidacy).count() == 1
    assert (
        AuditEntry.objects.filter(
            action="applications.candidacy.submitted", object_id=str(candidacy.pk)
        ).count()
        == 1
    )
    assert (
        OutboundEmail.objects.filter(subject__contains=candidacy.reference).count() == 1
    )


def test_twenty_parallel_certificate_requests_make_one_certificate():
    label = labelled_territory().labels.get()

    results = in_parallel(lambda: request_certificate(label=label))

    assert not [r for r in results if isinstance(r, Exception)]
    assert len({certificate.pk for certificate in results}) == 1
    assert Certificate.objects.filter(label=label).count() == 1


def test_twenty_parallel_campaign_submissions_record_once():
    territory = labelled_territory()
    member = team_member(territory)
    objective_of(territory)
    staff = UserFactory(role="staff", is_staff=True)
    today = timezone.localdate()
    campaign = challenges.open_campaign(
        user=staff,
        year=today.year + 1,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
    )

    results = in_parallel(
        lambda: challenges.submit_campaign(
            user=member, territory=territory, campaign=campaign
        )
    )

    assert not [r for r in results if isinstance(r, Exception)]
    assert CampaignSubmission.objects.filter(campaign=campaign).count() == 1
    assert (
        AuditEntry.objects.filter(action="challenges.campaign.submitted").count() == 1
    )


def test_twenty_parallel_measures_on_one_day_keep_one():
    territory = labelled_territory()
    member = team_member(territory)
    objective = objective_of(territory)
    on = timezone.localdate()

    results = in_parallel(
        lambda: challenges.record_progress(
            user=member, objective=objective, reported_on=on, value=3
        )
    )

    saved = [r for r in results if isinstance(r, ProgressReport)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(saved) == 1 and len(refused) == CALLS - 1
    assert "existe déjà" in " ".join(refused[0].messages)
    assert ProgressReport.objects.filter(objective=objective).count() == 1


def test_twenty_parallel_saves_of_one_section_version_keep_one():
    """Twenty people save the same section from the same version at once:
    one save wins, nineteen are refused as conflicts, nothing is mixed."""
    from django.test import Client
    from django.urls import reverse

    from applications.models import Candidacy

    candidacy = candidacy_for()
    lead = candidacy.created_by
    url = reverse("applications:section", args=[candidacy.pk, "gouvernance"])
    counter = iter(range(CALLS))

    def save():
        n = next(counter)
        client = Client()
        client.force_login(lead)
        response = client.post(
            url,
            {"version": 0, "governance": f"Version {n}", "resources": f"Moyens {n}"},
        )
        return response.status_code, n

    results = in_parallel(save)

    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = sorted(status for status, _n in results)
    assert statuses == [302] + [409] * (CALLS - 1)
    winner = next(n for status, n in results if status == 302)
    saved = Candidacy.objects.get(pk=candidacy.pk)
    assert (saved.governance, saved.resources) == (
        f"Version {winner}",
        f"Moyens {winner}",
    )
    assert saved.version_of("gouvernance") == 1
