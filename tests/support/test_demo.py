"""The follow-up demo: a validated plan for the Territoire Lédonien and two
barriers, loaded once."""

import pytest
from django.apps import apps
from django.urls import reverse

from frenchimpact import demo
from frenchimpact.models import AuditEntry, OutboundEmail
from support import selectors
from support.demo import load_demo_support
from support.models import PlanVersion, RegulatoryBarrier, SupportPlan

pytestmark = pytest.mark.django_db


def snapshot():
    rows = {}
    for model in apps.get_app_config("support").get_models():
        rows[model.__name__] = [
            {k: v for k, v in row.items() if k != "updated_at"}
            for row in model.objects.order_by("pk").values()
        ]
    rows["audit"] = AuditEntry.objects.filter(action__startswith="support.").count()
    return rows


def test_load_demo_support_twice_changes_nothing():
    demo.load_demo()
    first_counts = load_demo_support()
    first = snapshot()

    second_counts = load_demo_support()

    assert snapshot() == first
    assert second_counts == first_counts
    assert first_counts == {"plans": 1, "actions": 9, "milestones": 11, "barriers": 2}


def test_demo_plan_is_validated_with_one_late_milestone(client):
    demo.load_demo()
    load_demo_support()

    plan = SupportPlan.objects.get(territory__slug="territoire-ledonien")
    staff = plan.versions.get().validated_by
    assert (plan.state, plan.version) == ("validated", 1)
    assert staff.email == "hcess@demo.frenchimpact.test"
    assert PlanVersion.objects.get(plan=plan).number == 1
    late = {p.pk: p.late_milestones for p in selectors.plans_behind_schedule()}
    assert late == {plan.pk: 1}
    titles = set(plan.actions.values_list("title", flat=True))
    assert "GEIQ sanitaire, social et médico-social" in titles
    assert "Financement de l'habitat inclusif porté par SCICalliance" in titles

    html = client.get(
        reverse("support:public_plan", args=["territoire-ledonien"])
    ).content.decode()
    assert "Étude d&#x27;opportunité de la Maison des parcours" in html
    assert "RQTH" in html


def test_demo_barriers_one_published_one_under_study(client):
    demo.load_demo()
    load_demo_support()

    barriers = {b.state: b for b in RegulatoryBarrier.objects.all()}
    assert set(barriers) == {"answered", "under_study"}
    assert barriers["answered"].published_at is not None
    assert barriers["under_study"].published_at is None
    assert barriers["answered"].reporter.email == "ledonien@demo.frenchimpact.test"
    assert not [
        email
        for email in OutboundEmail.objects.all()
        if "ledonien@demo.frenchimpact.test" in email.to
    ]
    html = client.get(reverse("support:public_barriers")).content.decode()
    assert barriers["answered"].title.replace("'", "&#x27;") in html
    assert barriers["under_study"].title.replace("'", "&#x27;") not in html
    assert "ledonien@demo.frenchimpact.test" not in html


def test_demo_loads_without_the_staff_account():
    demo.load_demo(with_accounts=False)

    counts = load_demo_support()

    plan = SupportPlan.objects.get()
    assert counts["plans"] == 1
    assert plan.state == "validated"
    assert plan.versions.get().validated_by is None
    assert RegulatoryBarrier.objects.get(state="answered").reporter is None


def test_demo_without_the_territory_does_nothing():
    assert load_demo_support() == {
        "plans": 0,
        "actions": 0,
        "milestones": 0,
        "barriers": 0,
    }
