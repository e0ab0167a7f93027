"""Tried as a new user would: the Territoire Lédonien's team records a
measure for the EA agrobiologique objective; the public project page shows
it; the staff dashboard flags the objective at risk."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from challenges.models import Objective
from frenchimpact.demo import DEMO_PASSWORD, LEDONIEN_TEAM_EMAIL

pytestmark = pytest.mark.django_db


def test_ledonien_team_reports_progress_and_staff_sees_the_risk(client):
    call_command("load_demo", stdout=StringIO())
    objective = Objective.objects.get(
        project__name="Entreprise adaptée (EA) agrobiologique"
    )
    # the demo objective ended in 2021; the team has set a new horizon
    Objective.objects.filter(pk=objective.pk).update(
        target=40, deadline=timezone.localdate() + dt.timedelta(days=365)
    )

    client.post(
        reverse("accounts:login"),
        {"username": LEDONIEN_TEAM_EMAIL, "password": DEMO_PASSWORD},
    )
    space = client.get(reverse("applications:dashboard")).content.decode()
    assert "Territoire Lédonien" in space
    team_page = client.get(
        reverse("challenges:team_territory", args=["territoire-ledonien"])
    )
    assert "Professionnaliser 25 personnes" in team_page.content.decode()
    today = timezone.localdate()
    response = client.post(
        reverse("challenges:report_create", args=[objective.pk]),
        {
            "reported_on": today.isoformat(),
            "value": "14",
            "comment": "Trois nouveaux salariés en logistique.",
        },
    )
    assert response.status_code == 302

    client.logout()
    public = client.get(objective.project.get_absolute_url()).content.decode()
    assert "Trois nouveaux salariés en logistique." in public
    assert ">14<" in public  # in the table of measures
    assert "Dernière mesure" in public and "14 (" in public

    staff = User.objects.get(email="hcess@demo.frenchimpact.test")
    client.force_login(staff)
    dashboard = client.get(reverse("challenges:dashboard")).content.decode()
    risks = dashboard[
        dashboard.index('id="risques"') : dashboard.index('id="campagnes"')
    ]
    assert "Professionnaliser 25 personnes" in risks
    assert "À risque" in risks
    assert "Territoire Lédonien" in risks
