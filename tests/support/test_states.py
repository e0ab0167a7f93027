"""The state machines of the plan, the milestone and the barrier: every
declared move is allowed, every other one refused; versions of the plan."""

import itertools

import pytest

from frenchimpact.models import AuditEntry
from support import services
from support.catalogue import OFFERS, seed_offers
from support.enums import (
    AXIS_LEVERS,
    BARRIER_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    PLAN_TRANSITIONS,
    BarrierState,
    Lever,
    MilestoneStatus,
    PlanState,
)
from support.models import Action, Milestone, PlanVersion, RegulatoryBarrier
from territories.enums import SupportAxis

from .helpers import empty_plan, plan_with

pytestmark = pytest.mark.django_db


# --- plan ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [(a, b) for a, b in itertools.product(PlanState.values, repeat=2) if a != b],
)
def test_plan_transition_follows_the_table(team, staff, from_state, to_state):
    plan = plan_with(team, actions=1)
    type(plan).objects.filter(pk=plan.pk).update(state=from_state)
    allowed = to_state in PLAN_TRANSITIONS[from_state]

    if allowed:
        plan, moved = services.transition_plan(
            plan_id=plan.pk, to_state=to_state, actor=staff
        )
        assert moved
        assert plan.state == to_state
        entry = AuditEntry.objects.get(action=f"support.plan.{to_state}")
        assert (entry.from_state, entry.to_state, entry.actor) == (
            from_state,
            to_state,
            staff,
        )
    else:
        with pytest.raises(services.SupportError, match="ne peut pas passer"):
            services.transition_plan(plan_id=plan.pk, to_state=to_state, actor=staff)
        plan.refresh_from_db()
        assert plan.state == from_state


def test_plan_transition_to_same_state_does_nothing(team, staff):
    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)

    plan, moved = services.transition_plan(
        plan_id=plan.pk, to_state="submitted", actor=team.member
    )

    assert not moved
    assert AuditEntry.objects.filter(action="support.plan.submitted").count() == 1


def test_team_submits_and_staff_validates_a_frozen_version(
    team, staff, mailoutbox_rows
):
    plan = plan_with(team, actions=2, milestones=1)

    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)

    plan.refresh_from_db()
    assert plan.state == PlanState.VALIDATED
    version = PlanVersion.objects.get(plan=plan)
    assert (version.number, version.validated_by) == (1, staff)
    titles = [
        action["title"]
        for axis in version.snapshot["axes"]
        for action in axis["actions"]
    ]
    assert sorted(titles) == ["Action 0", "Action 1"]
    subjects = [row.subject for row in mailoutbox_rows()]
    assert any("à valider" in s for s in subjects)
    assert any("est validé" in s for s in subjects)
    validated = next(r for r in mailoutbox_rows() if "est validé" in r.subject)
    assert validated.to == [team.member.email]


def test_staff_who_is_not_in_the_team_cannot_submit(team, staff):
    plan = plan_with(team, actions=1)

    with pytest.raises(services.SupportError, match="Seule l'équipe"):
        services.submit_plan(plan=plan, actor=staff)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_empty_plan_cannot_be_submitted(team):
    plan = empty_plan(team)

    with pytest.raises(services.SupportError, match="au moins une action"):
        services.submit_plan(plan=plan, actor=team.member)


def test_team_cannot_validate_its_own_plan(team):
    from django.core.exceptions import PermissionDenied

    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)

    with pytest.raises(PermissionDenied):
        services.validate_plan(plan=plan, actor=team.member)
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_send_back_needs_a_comment_and_adds_it_to_the_plan(
    team, staff, mailoutbox_rows
):
    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)

    with pytest.raises(services.SupportError, match="Renseignez"):
        services.send_back_plan(plan=plan, actor=staff, comment="   ")
    services.send_back_plan(
        plan=plan, actor=staff, comment="Précisez les jalons de l'axe 2."
    )

    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert plan.version == 1  # sent back: the same version is reworked
    comment = plan.comments.get()
    assert (comment.body, comment.author_role) == (
        "Précisez les jalons de l'axe 2.",
        "staff",
    )
    assert "Précisez les jalons" in mailoutbox_rows()[-1].body


def test_a_draft_cannot_be_sent_back(team, staff):
    plan = plan_with(team, actions=1)

    with pytest.raises(services.SupportError, match="Seul un plan soumis"):
        services.send_back_plan(plan=plan, actor=staff, comment="Non")


def test_submitted_plan_content_is_locked(team):
    plan = plan_with(team, actions=1)
    services.submit_plan(plan=plan, actor=team.member)
    action = plan.actions.get()

    with pytest.raises(services.SupportError, match="soumis à validation"):
        services.add_action(
            plan=plan,
            actor=team.member,
            axis="impact",
            title="Nouvelle",
            owner_kind="territory",
            owner_name="Équipe",
        )
    with pytest.raises(services.SupportError, match="soumis à validation"):
        services.delete_action(action=action, actor=team.member)
    assert plan.actions.count() == 1


def test_versions_editing_a_validated_plan_opens_the_next_one(team, staff):
    plan = plan_with(team, actions=1, milestones=1)
    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)

    services.add_action(
        plan=plan,
        actor=team.member,
        axis="impact",
        title="Mesurer l'impact",
        owner_kind="partner",
        owner_name="Avise",
    )

    plan.refresh_from_db()
    assert (plan.state, plan.version) == (PlanState.DRAFT, 2)
    v1 = PlanVersion.objects.get(plan=plan, number=1)
    assert "Mesurer l'impact" not in str(v1.snapshot)
    # a second change in the same draft stays in version 2
    services.add_action(
        plan=plan,
        actor=staff,
        axis="impact",
        title="Deuxième ajout",
        owner_kind="state",
        owner_name="HCESS",
    )
    plan.refresh_from_db()
    assert plan.version == 2

    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)

    assert list(
        PlanVersion.objects.filter(plan=plan).values_list("number", flat=True)
    ) == [2, 1]
    v2 = PlanVersion.objects.get(plan=plan, number=2)
    assert "Mesurer l'impact" in str(v2.snapshot)
    assert "Mesurer l'impact" not in str(
        PlanVersion.objects.get(plan=plan, number=1).snapshot
    )


def test_milestone_progress_does_not_reopen_a_validated_plan(team, staff):
    plan = plan_with(team, actions=1, milestones=1)
    services.submit_plan(plan=plan, actor=team.member)
    services.validate_plan(plan=plan, actor=staff)
    milestone = Milestone.objects.get()

    services.set_milestone_status(
        milestone_id=milestone.pk, to_status="in_progress", actor=team.member
    )
    services.add_comment(plan=plan, actor=team.member, body="C'est parti.")

    plan.refresh_from_db()
    assert (plan.state, plan.version) == (PlanState.VALIDATED, 1)


# --- creation and seeding -----------------------------------------------------


def test_catalogue_gives_every_lever_one_axis_and_one_offer():
    in_axes = [lever for levers in AXIS_LEVERS.values() for lever in levers]
    assert sorted(in_axes) == sorted(Lever.values)
    assert set(OFFERS) == set(Lever.values)
    assert set(AXIS_LEVERS) == set(SupportAxis.values)


def test_creating_a_plan_seeds_one_action_per_lever(team):
    plan = services.create_plan(territory=team.territory, actor=team.member)

    actions = list(plan.actions.order_by("position"))
    assert len(actions) == len(Lever.values) == len(seed_offers())
    assert {a.lever for a in actions} == set(Lever.values)
    assert {a.owner_kind for a in actions} <= {"state", "partner"}
    assert not Milestone.objects.filter(action__plan=plan).exists()
    fiso = next(a for a in actions if a.lever == "bpifrance_fiso")
    assert (fiso.axis, fiso.owner_name) == ("financing", "Bpifrance")
    assert plan.state == PlanState.DRAFT
    assert AuditEntry.objects.filter(action="support.plan.created").exists()


def test_second_plan_for_a_territory_is_refused(team):
    services.create_plan(territory=team.territory, actor=team.member)

    with pytest.raises(services.SupportError, match="déjà un plan"):
        services.create_plan(territory=team.territory, actor=team.member)


def test_plan_for_territory_without_public_label_is_refused(team, staff):
    team.territory.labels.update(status="revoked")

    with pytest.raises(services.SupportError, match="territoire labellisé"):
        services.create_plan(territory=team.territory, actor=staff)


def test_lever_must_belong_to_the_action_axis(team):
    plan = empty_plan(team)

    with pytest.raises(services.SupportError, match="ne relève pas"):
        services.add_action(
            plan=plan,
            actor=team.member,
            axis="strategy",
            lever="bpifrance_fiso",
            title="Financer",
            owner_kind="partner",
            owner_name="Bpifrance",
        )
    assert not Action.objects.exists()


def test_database_refuses_a_lever_outside_its_axis(team):
    from django.db import IntegrityError, transaction

    plan = empty_plan(team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(
            plan=plan,
            axis="strategy",
            lever="hubess",
            title="Incohérente",
            owner_kind="state",
            owner_name="État",
        )


# --- milestone ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a, b in itertools.product(MilestoneStatus.values, repeat=2) if a != b],
)
def test_milestone_status_follows_the_table(team, from_status, to_status):
    plan_with(team, actions=1, milestones=1)
    milestone = Milestone.objects.get()
    Milestone.objects.filter(pk=milestone.pk).update(status=from_status)

    if to_status in MILESTONE_TRANSITIONS[from_status]:
        milestone, moved = services.set_milestone_status(
            milestone_id=milestone.pk, to_status=to_status, actor=team.member
        )
        assert moved and milestone.status == to_status
        assert AuditEntry.objects.filter(
            action=f"support.milestone.{to_status}", from_state=from_status
        ).exists()
    else:
        with pytest.raises(services.SupportError, match="ne peut pas passer"):
            services.set_milestone_status(
                milestone_id=milestone.pk, to_status=to_status, actor=team.member
            )
        milestone.refresh_from_db()
        assert milestone.status == from_status


def test_milestone_unknown_status_is_refused(team):
    plan_with(team, actions=1, milestones=1)
    milestone = Milestone.objects.get()

    with pytest.raises(services.SupportError, match="statuts proposés"):
        services.set_milestone_status(
            milestone_id=milestone.pk, to_status="oublié", actor=team.member
        )


# --- barrier ------------------------------------------------------------------


def _barrier(team) -> RegulatoryBarrier:
    return services.report_barrier(
        territory=team.territory,
        reporter=team.member,
        title="Cumul RQTH et alternance",
        blocking="Le salarié perd son accompagnement.",
        legal_text="Code du travail",
        impact="Dix personnes par an.",
    )


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [(a, b) for a, b in itertools.product(BarrierState.values, repeat=2) if a != b],
)
def test_barrier_transition_follows_the_table(
    team, staff, from_state, to_state, mailoutbox_rows
):
    barrier = _barrier(team)
    RegulatoryBarrier.objects.filter(pk=barrier.pk).update(
        state=from_state,
        response="Déjà répondu"
        if from_state in {"answered", "referred", "closed"}
        else "",
    )
    sent_before = len(mailoutbox_rows())

    if to_state in BARRIER_TRANSITIONS[from_state]:
        barrier, moved = services.transition_barrier(
            barrier_id=barrier.pk, to_state=to_state, actor=staff, response="Voici."
        )
        assert moved and barrier.state == to_state
        assert AuditEntry.objects.filter(
            action=f"support.barrier.{to_state}", from_state=from_state
        ).exists()
        if to_state in {"answered", "referred", "closed"}:
            assert barrier.response == "Voici."
            assert barrier.responded_by == staff
            mail = mailoutbox_rows()[-1]
            assert mail.to == [team.member.email]
            assert "Voici." in mail.body
        else:
            assert len(mailoutbox_rows()) == sent_before
    else:
        with pytest.raises(services.SupportError, match="ne peut pas passer"):
            services.transition_barrier(
                barrier_id=barrier.pk, to_state=to_state, actor=staff, response="x"
            )
        barrier.refresh_from_db()
        assert barrier.state == from_state


@pytest.mark.parametrize("to_state", ["answered", "referred", "closed"])
def test_barrier_outcome_needs_a_written_response(team, staff, to_state):
    barrier = _barrier(team)
    services.study_barrier(barrier=barrier, actor=staff)

    with pytest.raises(services.SupportError, match="Renseignez"):
        services.transition_barrier(
            barrier_id=barrier.pk, to_state=to_state, actor=staff, response=" "
        )
    barrier.refresh_from_db()
    assert barrier.state == "under_study"


def test_only_an_answered_barrier_is_published(team, staff):
    barrier = _barrier(team)
    with pytest.raises(services.SupportError, match="reçu une réponse"):
        services.set_barrier_published(barrier=barrier, actor=staff, published=True)

    services.study_barrier(barrier=barrier, actor=staff)
    services.answer_barrier(barrier=barrier, actor=staff, response="Possible.")
    barrier = services.set_barrier_published(
        barrier=barrier, actor=staff, published=True
    )

    assert barrier.published_at is not None
    assert list(RegulatoryBarrier.objects.published()) == [barrier]
    services.set_barrier_published(barrier=barrier, actor=staff, published=False)
    assert not RegulatoryBarrier.objects.published().exists()


def test_team_cannot_work_the_desk(team):
    from django.core.exceptions import PermissionDenied

    barrier = _barrier(team)

    with pytest.raises(PermissionDenied):
        services.study_barrier(barrier=barrier, actor=team.member)


def test_only_a_team_member_reports_a_barrier(team, other_team):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_barrier(
            territory=team.territory,
            reporter=other_team.member,
            title="Intrus",
            blocking="x",
            legal_text="x",
            impact="x",
        )
    assert not RegulatoryBarrier.objects.exists()


def test_milestone_due_date_must_be_a_date(team):
    plan = plan_with(team, actions=1)

    with pytest.raises(services.SupportError, match="échéance"):
        services.add_milestone(
            action=plan.actions.get(),
            actor=team.member,
            title="Sans date",
            due_on="demain",
        )
    assert not Milestone.objects.exists()
