from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from territories.models import Territory

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row of the project's own models, as comparable tuples."""
    rows = {}
    for label in ("accounts", "territories", "applications", "challenges", "support"):
        for model in apps.get_app_config(label).get_models():
            values = model.objects.order_by("pk").values()
            rows[model.__name__] = [
                {k: v for k, v in row.items() if k not in {"updated_at", "last_login"}}
                for row in values
            ]
    return rows


def test_load_demo_twice_leaves_the_same_rows():
    call_command("load_demo", stdout=StringIO())
    first = snapshot()
    call_command("load_demo", stdout=StringIO())

    assert snapshot() == first
    assert len(first["Territory"]) == 20
    assert len(first["Label"]) == 20
    assert len(first["User"]) == 5
    assert len(first["ProgressReport"]) == 5


def test_demo_holds_the_seed_facts(client):
    call_command("load_demo", stdout=StringIO())
    ledonien = Territory.objects.get(slug="territoire-ledonien")

    assert ledonien.lead_organisation.name == "Clus'Ter Jura"
    assert [a.name for a in ledonien.priority_areas.all()] == [
        "Bassin lédonien",
        "Bresse Jurassienne",
        "Petite Montagne",
    ]
    assert ledonien.labels.get().awarded_on.isoformat() == "2019-03-22"
    assert [d.code for d in ledonien.departments.all()] == ["39"]

    body = client.get(reverse("territories:detail", args=["territoire-ledonien"]))
    text = body.content.decode()
    for project in (
        "SCICalliance",
        "Maison des parcours et de la Participation",
        "GEIQ sanitaire, social et médico-social",
        "Entreprise adaptée (EA) agrobiologique",
    ):
        assert project in text
    assert "Zéro sans toit" in text
    assert "25 personnes ayant une RQTH" in text
    assert "Clus&#x27;Ter Jura" in text

    directory = client.get(reverse("territories:directory")).content.decode()
    assert "20 territoires" in directory


def test_demo_accounts_refused_under_production_profile(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="never created"):
        call_command("load_demo")
    assert not User.objects.exists()
