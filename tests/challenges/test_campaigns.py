"""Yearly reporting campaigns, reminders, and the staff dashboard."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from challenges import services
from challenges.models import CampaignReminder, CampaignSubmission, ReportingCampaign
from challenges.tasks import task_send_campaign_reminders
from frenchimpact.models import OutboundEmail
from tests.factories import UserFactory

from .conftest import objective_of, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF, is_staff=True)


@pytest.fixture
def campaign(staff):
    today = timezone.localdate()
    return services.open_campaign(
        user=staff,
        year=today.year,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=60),
    )


def test_staff_open_a_campaign_from_the_dashboard(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("challenges:dashboard"),
        {"year": "2031", "opens_on": "2031-01-15", "closes_on": "2031-03-31"},
    )

    assert response.status_code == 302
    assert ReportingCampaign.objects.get(year=2031).opened_by == staff
    again = client.post(
        reverse("challenges:dashboard"),
        {"year": "2031", "opens_on": "2031-01-15", "closes_on": "2031-03-31"},
    )
    assert again.status_code == 400
    assert "existe déjà pour cette année" in again.content.decode()
    reversed_dates = client.post(
        reverse("challenges:dashboard"),
        {"year": "2032", "opens_on": "2032-03-01", "closes_on": "2032-01-01"},
    )
    assert "La clôture doit suivre" in reversed_dates.content.decode()
    assert ReportingCampaign.objects.count() == 1


def test_teams_are_reminded_weekly_until_they_report(
    client, campaign, member, objective, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert task_send_campaign_reminders.delay().get() == 1
        assert services.send_campaign_reminders() == 0  # same day: nothing more
    mail = OutboundEmail.objects.get()
    assert mail.to == [member.email]
    assert str(campaign.year) in mail.subject
    assert "/defis/suivi/territoires/" in mail.body

    next_week = timezone.localdate() + dt.timedelta(days=7)
    assert services.send_campaign_reminders(today=next_week) == 1

    client.force_login(member)
    territory = objective.project.challenge.territory
    client.post(
        reverse("challenges:campaign_submit", args=[territory.slug, campaign.pk])
    )
    assert CampaignSubmission.objects.filter(campaign=campaign).count() == 1
    in_two_weeks = timezone.localdate() + dt.timedelta(days=14)
    assert services.send_campaign_reminders(today=in_two_weeks) == 0
    assert CampaignReminder.objects.count() == 2


def test_submitting_twice_records_once_and_closed_campaign_refuses(
    client, staff, campaign, member, objective
):
    territory = objective.project.challenge.territory
    client.force_login(member)
    url = reverse("challenges:campaign_submit", args=[territory.slug, campaign.pk])

    client.post(url)
    client.post(url)
    assert CampaignSubmission.objects.count() == 1

    services.close_campaign(user=staff, campaign=campaign)
    CampaignSubmission.objects.all().delete()
    response = client.post(url, follow=True)
    assert "Cette campagne est close." in response.content.decode()
    assert not CampaignSubmission.objects.exists()


def test_measures_recorded_during_a_campaign_belong_to_it(campaign, member, objective):
    measure = services.record_progress(
        user=member,
        objective=objective,
        reported_on=timezone.localdate(),
        value=4,
    )
    assert measure.campaign == campaign


def test_dashboard_flags_objectives_at_risk_and_completion(
    client, staff, campaign, member, objective, territory
):
    slow = objective_of(
        territory,
        statement="Objectif lent",
        baseline=0,
        baseline_on=timezone.localdate() - dt.timedelta(days=400),
        target=100,
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    report(slow, timezone.localdate() - dt.timedelta(days=10), 5)
    report(objective, timezone.localdate() - dt.timedelta(days=10), 24)
    client.force_login(staff)

    page = client.get(reverse("challenges:dashboard")).content.decode()

    risks = page[page.index('id="risques"') : page.index('id="campagnes"')]
    assert "Objectif lent" in risks and "À risque" in risks
    assert objective.statement not in risks
    assert "0 territoires sur 1 ont transmis leur suivi" in page
    assert territory.name in page[page.index('id="campagnes"') :]


@pytest.mark.parametrize("reports", [1, 30])
def test_dashboard_queries_do_not_grow_with_reports(
    client, staff, campaign, objective, reports, django_assert_num_queries
):
    for day in range(reports):
        report(objective, dt.date(2024, 2, 1) + dt.timedelta(days=day), day)
    client.force_login(staff)

    # session, user, at-risk objectives, late plans, campaigns, territories,
    # submissions
    with django_assert_num_queries(7):
        assert client.get(reverse("challenges:dashboard")).status_code == 200
