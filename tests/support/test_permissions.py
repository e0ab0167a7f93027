"""Who sees and changes what: the territory's team, the other teams, the
High Commission, anonymous visitors and the public pages."""

import itertools

import pytest
from django.urls import reverse

from accounts.enums import Role
from reviews import services as review_services
from support import services
from support.enums import PlanState
from support.models import Milestone, RegulatoryBarrier, SupportPlan
from tests.factories import UserFactory, candidacy_under_review, reviewed

from .helpers import plan_with

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "reviewer", "other_team", "team", "staff"]


@pytest.fixture
def people(team, other_team, staff):
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "reviewer": UserFactory(role=Role.REVIEWER),
        "other_team": other_team.member,
        "team": team.member,
        "staff": staff,
    }


def _barrier(team, title="Frein de A") -> RegulatoryBarrier:
    return services.report_barrier(
        territory=team.territory,
        reporter=team.member,
        title=title,
        blocking="Ce qui bloque",
        legal_text="Code du travail",
        impact="Dix emplois",
        project="Projet de A",
    )


# --- predicates, over every role and every state ------------------------------

TEAM_AND_STAFF = frozenset({"team", "staff"})
EXPECTED = {
    # perm: {state: roles allowed}
    "support.view_plan": dict.fromkeys(PlanState.values, TEAM_AND_STAFF),
    "support.comment_plan": dict.fromkeys(PlanState.values, TEAM_AND_STAFF),
    "support.change_plan": {
        "draft": {"team", "staff"},
        "submitted": set(),
        "validated": {"team", "staff"},
    },
    "support.submit_plan": {"draft": {"team"}, "submitted": set(), "validated": set()},
    "support.validate_plan": {
        "draft": set(),
        "submitted": {"staff"},
        "validated": set(),
    },
}


@pytest.mark.parametrize(
    ("perm", "state", "role"),
    [
        (perm, state, role)
        for perm, states in EXPECTED.items()
        for state, role in itertools.product(states, ROLES)
    ],
)
def test_plan_permission(team, people, perm, state, role):
    plan = plan_with(team, actions=1)
    plan.state = state

    allowed = people[role].has_perm(perm, plan)

    assert allowed == (role in EXPECTED[perm][state])


@pytest.mark.parametrize("role", ROLES)
def test_barrier_permissions(team, people, role):
    barrier = _barrier(team)
    user = people[role]

    assert user.has_perm("support.view_barrier", barrier) == (role in {"team", "staff"})
    assert user.has_perm("support.manage_barriers") == (role == "staff")


def test_team_of_a_real_decision_follows_its_plan(client):
    """The territory's team is the team of its labelled candidacy, as the
    decision flow makes it."""
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    candidacy = candidacy_under_review()
    reviewed(candidacy, (4, 4))
    _decision, label = review_services.publish_decision(
        decision=review_services.prepare_decision(
            candidacy=candidacy, actor=staff, outcome="label", reasons="Oui"
        ),
        actor=staff,
    )
    lead = candidacy.created_by
    client.force_login(lead)

    response = client.post(
        reverse("support:plan_create"), {"territory": label.territory.pk}, follow=True
    )

    assert response.status_code == 200
    assert label.territory.support_plan.actions.count() == 23
    assert "Plan d'accompagnement — Pays de Démonstration" in (
        response.content.decode()
    )


# --- pages of another team: 404, never data -----------------------------------


def _private_urls(plan, barrier):
    action = plan.actions.first()
    milestone = Milestone.objects.filter(action__plan=plan).first()
    return {
        "get": [
            reverse("support:plan", args=[plan.pk]),
            reverse("support:action_add", args=[plan.pk]),
            reverse("support:action_edit", args=[action.pk]),
            reverse("support:milestone_add", args=[action.pk]),
            reverse("support:plan_version", args=[plan.pk, 1]),
            reverse("support:barrier", args=[barrier.pk]),
        ],
        "post": [
            (reverse("support:plan", args=[plan.pk]), {"body": "Intrusion"}),
            (reverse("support:plan_submit", args=[plan.pk]), {}),
            (
                reverse("support:action_add", args=[plan.pk]),
                {
                    "axis": "impact",
                    "title": "Intrusion",
                    "owner_kind": "state",
                    "owner_name": "X",
                },
            ),
            (
                reverse("support:action_edit", args=[action.pk]),
                {
                    "axis": "impact",
                    "title": "Intrusion",
                    "owner_kind": "state",
                    "owner_name": "X",
                },
            ),
            (reverse("support:action_delete", args=[action.pk]), {}),
            (
                reverse("support:milestone_add", args=[action.pk]),
                {"title": "Intrusion", "due_on": "2030-01-01"},
            ),
            (
                reverse("support:milestone_status", args=[milestone.pk]),
                {"status": "done"},
            ),
            (reverse("support:milestone_delete", args=[milestone.pk]), {}),
        ],
    }


@pytest.fixture
def validated_plan(team, staff):
    plan = plan_with(team, actions=2, milestones=1)
    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)
    return plan


def test_other_team_gets_404_everywhere_and_changes_nothing(
    client, team, other_team, validated_plan
):
    barrier = _barrier(team)
    urls = _private_urls(validated_plan, barrier)
    client.force_login(other_team.member)

    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Action 0" not in response.content.decode()
        assert "Frein de A" not in response.content.decode()
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url

    validated_plan.refresh_from_db()
    assert (validated_plan.state, validated_plan.version) == ("validated", 1)
    assert validated_plan.actions.count() == 2
    assert not validated_plan.comments.exists()
    assert set(
        Milestone.objects.filter(action__plan=validated_plan).values_list(
            "status", flat=True
        )
    ) == {"planned"}


def test_anonymous_is_sent_to_login(client, team, validated_plan):
    barrier = _barrier(team)
    urls = _private_urls(validated_plan, barrier)
    login = reverse("accounts:login")

    for url in [
        *urls["get"],
        reverse("support:home"),
        reverse("support:barriers"),
        reverse("support:barrier_report"),
        reverse("support:staff_plans"),
        reverse("support:desk"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login), url
    for url, data in urls["post"]:
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith(login)
    assert validated_plan.actions.count() == 2


def test_team_member_cannot_use_the_staff_pages(client, team, validated_plan):
    barrier = _barrier(team)
    client.force_login(team.member)

    for url in [
        reverse("support:staff_plans"),
        reverse("support:desk"),
        reverse("support:desk_barrier", args=[barrier.pk]),
    ]:
        assert client.get(url).status_code == 403
    client.post(reverse("support:plan_validate", args=[validated_plan.pk]))
    client.post(reverse("support:desk_barrier", args=[barrier.pk]), {"action": "study"})

    barrier.refresh_from_db()
    assert barrier.state == "received"


def test_lists_show_only_my_territories(client, team, other_team):
    plan_with(team, actions=1)
    plan_with(other_team, actions=1)
    _barrier(team, "Frein de A")
    _barrier(other_team, "Frein de B")
    client.force_login(team.member)

    home = client.get(reverse("support:home")).content.decode()
    barriers = client.get(reverse("support:barriers")).content.decode()

    assert team.territory.name in home
    assert other_team.territory.name not in home
    assert "Frein de A" in home and "Frein de B" not in home
    assert "Frein de A" in barriers and "Frein de B" not in barriers


def test_staff_sees_every_plan_and_barrier(client, team, other_team, staff):
    plan_a = plan_with(team, actions=1)
    plan_b = plan_with(other_team, actions=1)
    _barrier(team, "Frein de A")
    _barrier(other_team, "Frein de B")
    client.force_login(staff)

    plans = client.get(reverse("support:staff_plans")).content.decode()
    desk = client.get(reverse("support:desk")).content.decode()

    assert team.territory.name in plans and other_team.territory.name in plans
    assert "Frein de A" in desk and "Frein de B" in desk
    for plan in (plan_a, plan_b):
        response = client.get(reverse("support:plan", args=[plan.pk]))
        assert plan.territory.name in response.content.decode()


def test_other_team_cannot_create_a_plan_for_my_territory(client, team, other_team):
    client.force_login(other_team.member)

    response = client.post(
        reverse("support:plan_create"), {"territory": team.territory.pk}
    )

    assert response.status_code == 404
    assert not SupportPlan.objects.exists()


def test_barrier_report_offers_only_my_territories(client, team, other_team):
    client.force_login(team.member)

    response = client.post(
        reverse("support:barrier_report"),
        {
            "territory": other_team.territory.pk,
            "title": "Détourné",
            "blocking": "x",
            "legal_text": "x",
            "impact": "x",
        },
    )

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert other_team.territory.name not in response.content.decode()
    assert not RegulatoryBarrier.objects.exists()


# --- public pages -------------------------------------------------------------


def test_public_barriers_show_only_published_answers_without_personal_data(
    client, team, staff
):
    published = _barrier(team, "Frein publié")
    services.study_barrier(barrier=published, actor=staff)
    services.answer_barrier(
        barrier=published, actor=staff, response="La règle le permet déjà."
    )
    services.set_barrier_published(barrier=published, actor=staff, published=True)
    answered = _barrier(team, "Frein répondu non publié")
    services.study_barrier(barrier=answered, actor=staff)
    services.answer_barrier(barrier=answered, actor=staff, response="Réponse privée")
    _barrier(team, "Frein reçu")

    html = client.get(reverse("support:public_barriers")).content.decode()

    assert "Frein publié" in html
    assert "La règle le permet déjà." in html
    assert "Frein répondu non publié" not in html and "Réponse privée" not in html
    assert "Frein reçu" not in html
    assert team.member.email not in html
    assert team.member.last_name not in html
    assert staff.email not in html and staff.last_name not in html


def test_public_plan_shows_only_the_validated_version(client, team, staff):
    plan = plan_with(team, actions=1, milestones=1)
    url = reverse("support:public_plan", args=[team.territory.slug])

    assert client.get(url).status_code == 404  # nothing validated yet

    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)
    services.add_action(
        plan=plan,
        actor=team.member,
        axis="companies",
        title="Brouillon de la version 2",
        owner_kind="partner",
        owner_name="CPME",
    )
    services.add_comment(plan=plan, actor=team.member, body="Commentaire interne")
    html = client.get(url).content.decode()

    assert "Action 0" in html
    assert "Jalon 0.0" in html
    assert "Brouillon de la version 2" not in html
    assert "Commentaire interne" not in html
    assert team.member.email not in html and staff.email not in html
    assert staff.last_name not in html


def test_public_plan_of_unknown_or_unlabelled_territory_is_404(client, team, staff):
    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)
    team.territory.labels.update(status="revoked")

    assert (
        client.get(
            reverse("support:public_plan", args=[team.territory.slug])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("support:public_plan", args=["inconnu"])).status_code == 404
    )
