"""The back-office pages of the follow-up open, and stay read-only where
changes go through the services."""

import pytest
from django.urls import reverse

from support import services
from support.models import (
    Action,
    Comment,
    Milestone,
    PlanVersion,
    RegulatoryBarrier,
    SupportPlan,
)
from tests.factories import UserFactory

from .helpers import plan_with

pytestmark = pytest.mark.django_db


def test_admin_pages_open_and_versions_are_read_only(client, team, staff):
    plan = plan_with(team, actions=1, milestones=1)
    services.add_comment(plan=plan, actor=team.member, body="Bonjour")
    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)
    services.report_barrier(
        territory=team.territory,
        reporter=team.member,
        title="Frein",
        blocking="x",
        legal_text="x",
        impact="x",
    )
    admin = UserFactory(is_staff=True, is_superuser=True, role="staff")
    client.force_login(admin)

    for model in (SupportPlan, Action, PlanVersion, Comment, RegulatoryBarrier):
        meta = model._meta
        obj = model.objects.first()
        changelist = client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        )
        change = client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        )
        assert changelist.status_code == 200, meta.model_name
        assert change.status_code == 200, meta.model_name
    version = PlanVersion.objects.get()
    response = client.post(
        reverse("admin:support_planversion_change", args=[version.pk]),
        {"number": 9},
    )
    assert response.status_code == 403
    assert PlanVersion.objects.get().number == 1
    assert Milestone.objects.get().status == "planned"
    assert client.get(reverse("admin:support_supportplan_add")).status_code == 403
