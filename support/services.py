"""Every write to support plans and regulatory barriers, and the one choke
point of each of their state machines (plan, milestone, barrier)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from accounts.models import User
from applications.enums import CandidacyState
from frenchimpact import audit
from frenchimpact.mail import queue_email
from frenchimpact.states import StateMachine
from territories.enums import SupportAxis
from territories.models import Territory

from . import catalogue
from .enums import (
    BARRIER_TRANSITIONS,
    LEVER_AXIS,
    MILESTONE_TRANSITIONS,
    PLAN_TRANSITIONS,
    PUBLISHABLE_STATES,
    RESPONSE_STATES,
    BarrierState,
    CommentAuthorRole,
    Lever,
    MilestoneStatus,
    OwnerKind,
    PlanState,
)
from .models import (
    Action,
    Comment,
    Milestone,
    PlanVersion,
    RegulatoryBarrier,
    SupportPlan,
)


class SupportError(Exception):
    """A refused action, with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


PLAN_STATES = StateMachine(
    action="support.plan",
    states=PlanState,
    transitions=PLAN_TRANSITIONS,
    refusal=gettext_lazy("Un plan « %(from)s » ne peut pas passer à « %(to)s »."),
    error=SupportError,
)
MILESTONE_STATES = StateMachine(
    action="support.milestone",
    states=MilestoneStatus,
    transitions=MILESTONE_TRANSITIONS,
    refusal=gettext_lazy("Un jalon « %(from)s » ne peut pas passer à « %(to)s »."),
    error=SupportError,
    field="status",
)
BARRIER_STATES = StateMachine(
    action="support.barrier",
    states=BarrierState,
    transitions=BARRIER_TRANSITIONS,
    refusal=gettext_lazy(
        "Un signalement « %(from)s » ne peut pas passer à « %(to)s »."
    ),
    error=SupportError,
)


class EditConflict(SupportError):
    """Someone saved the object since the form was read: nothing is written;
    ``current`` is what is saved now."""

    def __init__(self, message: str, *, current):
        super().__init__(message)
        self.current = current


def edit_token(obj) -> str:
    """The version a form starts from (its last save), sent back on save."""
    return obj.updated_at.isoformat() if obj.updated_at else ""


def _staff_emails() -> list[str]:
    return list(
        User.objects.filter(role=Role.STAFF, is_active=True).values_list(
            "email", flat=True
        )
    )


def _team_emails(territory: Territory) -> list[str]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__candidacy__territory=territory,
            memberships__candidacy__state=CandidacyState.LABELLED,
        )
        .values_list("email", flat=True)
        .distinct()
    )


def _user_or_none(actor):
    """The account to store as the author of a change (none for a script)."""
    return actor if actor is not None and actor.is_authenticated else None


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def territory_member(user, territory: Territory) -> bool:
    """A member of the team of a labelled territory (staff are not, unless
    they also belong to the team)."""
    from territories.rules import is_territory_member

    return is_territory_member(user, territory)


def _clean_text(value: str, *, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise SupportError(_("Renseignez le champ « %(field)s ».") % {"field": label})
    return value


# --- Plan: state machine ------------------------------------------------------


def _locked_plan(plan_id: int) -> SupportPlan:
    return (
        SupportPlan.objects.select_for_update(of=("self",))
        .select_related("territory")
        .get(pk=plan_id)
    )


def plan_snapshot(plan: SupportPlan) -> dict:
    """The plan's content as plain data: what a validated version freezes."""
    actions = (
        Action.objects.filter(plan=plan)
        .prefetch_related("milestones")
        .order_by("position", "pk")
    )
    by_axis: dict[str, list[dict]] = {axis.value: [] for axis in SupportAxis}
    for action in actions:
        by_axis[action.axis].append(
            {
                "title": action.title,
                "description": action.description,
                "lever": action.lever,
                "owner_kind": action.owner_kind,
                "owner_name": action.owner_name,
                "milestones": [
                    {
                        "title": milestone.title,
                        "due_on": milestone.due_on.isoformat(),
                        "status": milestone.status,
                    }
                    for milestone in action.milestones.all()
                ],
            }
        )
    return {
        "territory": plan.territory.name,
        "version": plan.version,
        "axes": [
            {"axis": axis, "actions": actions} for axis, actions in by_axis.items()
        ],
    }


@transaction.atomic
def transition_plan(
    *, plan_id: int, to_state: str, actor, comment: str = ""
) -> tuple[SupportPlan, bool]:
    """Move a plan to ``to_state``: the only place where its state changes.

    Locks the row, does nothing if the plan is already there (a double click
    validates once), refuses a move not declared in ``PLAN_TRANSITIONS``.
    Validating freezes the current version (:class:`PlanVersion`); going back
    to draft from a validated plan opens the next version. Writes the audit
    entry. Returns the plan and whether it moved.
    """
    plan = _locked_plan(plan_id)

    def freeze_or_reopen(from_state):
        if to_state == PlanState.VALIDATED:
            PlanVersion.objects.create(
                plan=plan,
                number=plan.version,
                snapshot=plan_snapshot(plan),
                validated_by=_user_or_none(actor),
                validated_at=timezone.now(),
            )
        if from_state == PlanState.VALIDATED and to_state == PlanState.DRAFT:
            plan.version += 1
            return ["version"]
        return []

    moved = PLAN_STATES.move(
        plan,
        to_state,
        actor=actor,
        before_save=freeze_or_reopen,
        comment=comment,
        data=lambda: {"version": plan.version},
    )
    return plan, moved


@transaction.atomic
def submit_plan(*, plan: SupportPlan, actor) -> SupportPlan:
    """The team submits its plan to the High Commission for validation."""
    locked = _locked_plan(plan.pk)
    _require(actor, "support.view_plan", locked)
    if locked.state == PlanState.DRAFT:
        if not territory_member(actor, locked.territory):
            raise SupportError(
                _("Seule l'équipe du territoire soumet son plan à validation.")
            )
        if not locked.actions.exists():
            raise SupportError(
                _("Ajoutez au moins une action avant de soumettre le plan.")
            )
    plan, moved = transition_plan(
        plan_id=plan.pk, to_state=PlanState.SUBMITTED, actor=actor
    )
    if moved:
        recipients = _staff_emails()
        if recipients:
            queue_email(
                to=recipients,
                template="support_plan_submitted",
                context={"plan": plan, "territory": plan.territory},
            )
    return plan


@transaction.atomic
def validate_plan(*, plan: SupportPlan, actor) -> SupportPlan:
    """The High Commission validates the submitted plan: its version is frozen."""
    _require(actor, "territories.manage_follow_up", None)
    plan, moved = transition_plan(
        plan_id=plan.pk, to_state=PlanState.VALIDATED, actor=actor
    )
    if moved:
        recipients = _team_emails(plan.territory)
        if recipients:
            queue_email(
                to=recipients,
                template="support_plan_validated",
                context={"plan": plan, "territory": plan.territory},
            )
    return plan


@transaction.atomic
def send_back_plan(*, plan: SupportPlan, actor, comment: str) -> SupportPlan:
    """The High Commission sends a submitted plan back to the team, saying
    what to rework; the comment is added to the plan's discussion."""
    _require(actor, "territories.manage_follow_up", None)
    comment = _clean_text(comment, label=_("Ce que l'équipe doit reprendre"))
    locked = _locked_plan(plan.pk)
    if locked.state != PlanState.SUBMITTED:
        raise SupportError(
            _("Seul un plan soumis à validation peut être renvoyé à l'équipe.")
        )
    plan, _moved = transition_plan(
        plan_id=plan.pk, to_state=PlanState.DRAFT, actor=actor, comment=comment
    )
    Comment.objects.create(
        plan=plan,
        author=_user_or_none(actor),
        author_role=CommentAuthorRole.STAFF,
        body=comment,
    )
    recipients = _team_emails(plan.territory)
    if recipients:
        queue_email(
            to=recipients,
            template="support_plan_sent_back",
            context={"plan": plan, "territory": plan.territory, "comment": comment},
        )
    return plan


def _plan_for_edit(*, plan_id: int, actor) -> SupportPlan:
    """Lock the plan for a change of its content. A submitted plan is in the
    High Commission's hands; a validated one reopens a draft of its next
    version (the validated version stays as it was)."""
    plan = _locked_plan(plan_id)
    _require(actor, "support.view_plan", plan)
    if plan.state == PlanState.SUBMITTED:
        raise SupportError(
            _(
                "Le plan est soumis à validation : il ne peut pas être modifié "
                "tant que le Haut-Commissariat ne l'a pas validé ou renvoyé."
            )
        )
    if plan.state == PlanState.VALIDATED:
        plan, _moved = transition_plan(
            plan_id=plan.pk,
            to_state=PlanState.DRAFT,
            actor=actor,
            comment=_("Modification du plan validé"),
        )
    return plan


# --- Plan: creation and content -----------------------------------------------


@transaction.atomic
def create_plan(*, territory: Territory, actor, seed: bool = True) -> SupportPlan:
    """Create the plan of a labelled territory, seeded with one action per
    lever of the programme (owner: the State or a partner, no milestone), so
    that the team starts from the programme's offer."""
    _require(actor, "territories.edit_follow_up", territory)
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    if not Territory.objects.labelled().filter(pk=territory.pk).exists():
        raise SupportError(
            _("Seul un territoire labellisé a un plan d'accompagnement.")
        )
    if SupportPlan.objects.filter(territory=territory).exists():
        raise SupportError(_("Ce territoire a déjà un plan d'accompagnement."))
    plan = SupportPlan.objects.create(
        territory=territory, created_by=_user_or_none(actor)
    )
    if seed:
        # the plan's content is French, whatever the language of the page
        with translation.override(settings.LANGUAGE_CODE):
            Action.objects.bulk_create(
                Action(
                    plan=plan,
                    axis=axis,
                    lever=offer.lever,
                    title=str(Lever(offer.lever).label),
                    description=str(offer.description),
                    owner_kind=offer.owner_kind,
                    owner_name=str(offer.owner_name),
                    position=position,
                )
                for position, (axis, offer) in enumerate(catalogue.seed_offers())
            )
    audit.record(
        actor=actor,
        action="support.plan.created",
        obj=plan,
        to_state=plan.state,
        data={"territory": territory.slug, "seeded": seed},
    )
    return plan


def _check_action_fields(*, axis: str, lever: str, owner_kind: str) -> None:
    if axis not in SupportAxis.values:
        raise SupportError(_("Choisissez un des six axes du programme."))
    if owner_kind not in OwnerKind.values:
        raise SupportError(_("Choisissez le porteur de l'action."))
    if lever and LEVER_AXIS.get(lever) != axis:
        raise SupportError(
            _("Le levier « %(lever)s » ne relève pas de l'axe « %(axis)s ».")
            % {
                "lever": Lever(lever).label if lever in Lever.values else lever,
                "axis": SupportAxis(axis).label,
            }
        )


@transaction.atomic
def add_action(
    *,
    plan: SupportPlan,
    actor,
    axis: str,
    title: str,
    owner_kind: str,
    owner_name: str,
    lever: str = "",
    description: str = "",
) -> Action:
    plan = _plan_for_edit(plan_id=plan.pk, actor=actor)
    _check_action_fields(axis=axis, lever=lever, owner_kind=owner_kind)
    last = plan.actions.filter(axis=axis).order_by("-position").first()
    action = Action(
        plan=plan,
        axis=axis,
        lever=lever,
        title=_clean_text(title, label=_("Intitulé")),
        description=(description or "").strip(),
        owner_kind=owner_kind,
        owner_name=_clean_text(owner_name, label=_("Nom du porteur")),
        position=(last.position + 1) if last else 0,
    )
    action.full_clean()
    action.save()
    audit.record(
        actor=actor,
        action="support.action.added",
        obj=plan,
        data={"action": action.pk, "axis": axis},
    )
    return action


@transaction.atomic
def update_action(
    *,
    action: Action,
    actor,
    axis: str,
    title: str,
    owner_kind: str,
    owner_name: str,
    lever: str = "",
    description: str = "",
    edited_from: str = "",
) -> Action:
    """Change an action; ``edited_from`` is the :func:`edit_token` the form
    was read with: if someone saved the action since, :class:`EditConflict`
    and nothing is written (optimistic locking, checked under the row lock)."""
    plan = _plan_for_edit(plan_id=action.plan_id, actor=actor)
    _check_action_fields(axis=axis, lever=lever, owner_kind=owner_kind)
    action = Action.objects.select_for_update().get(pk=action.pk, plan=plan)
    if edited_from and edited_from != edit_token(action):
        raise EditConflict(
            _(
                "Quelqu'un d'autre a modifié cette action pendant que vous la "
                "modifiiez : rien n'a été enregistré. Sa version est affichée "
                "ci-dessous ; vos saisies sont conservées dans le formulaire, "
                "vérifiez-les puis enregistrez de nouveau."
            ),
            current=action,
        )
    action.axis = axis
    action.lever = lever
    action.title = _clean_text(title, label=_("Intitulé"))
    action.description = (description or "").strip()
    action.owner_kind = owner_kind
    action.owner_name = _clean_text(owner_name, label=_("Nom du porteur"))
    action.full_clean()
    action.save(
        update_fields=[
            "axis",
            "lever",
            "title",
            "description",
            "owner_kind",
            "owner_name",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action="support.action.updated",
        obj=plan,
        data={"action": action.pk},
    )
    return action


@transaction.atomic
def delete_action(*, action: Action, actor) -> SupportPlan:
    plan = _plan_for_edit(plan_id=action.plan_id, actor=actor)
    pk, title = action.pk, action.title
    Action.objects.filter(pk=pk, plan=plan).delete()
    audit.record(
        actor=actor,
        action="support.action.deleted",
        obj=plan,
        data={"action": pk, "title": title},
    )
    return plan


@transaction.atomic
def add_milestone(*, action: Action, actor, title: str, due_on: dt.date) -> Milestone:
    plan = _plan_for_edit(plan_id=action.plan_id, actor=actor)
    if not isinstance(due_on, dt.date):
        raise SupportError(_("Indiquez l'échéance du jalon."))
    milestone = Milestone(
        action=Action.objects.get(pk=action.pk, plan=plan),
        title=_clean_text(title, label=_("Intitulé")),
        due_on=due_on,
    )
    milestone.full_clean()
    milestone.save()
    audit.record(
        actor=actor,
        action="support.milestone.added",
        obj=plan,
        data={"action": action.pk, "milestone": milestone.pk},
    )
    return milestone


@transaction.atomic
def delete_milestone(*, milestone: Milestone, actor) -> SupportPlan:
    plan = _plan_for_edit(plan_id=milestone.action.plan_id, actor=actor)
    pk = milestone.pk
    Milestone.objects.filter(pk=pk, action__plan=plan).delete()
    audit.record(
        actor=actor,
        action="support.milestone.deleted",
        obj=plan,
        data={"milestone": pk},
    )
    return plan


@transaction.atomic
def set_milestone_status(
    *, milestone_id: int, to_status: str, actor
) -> tuple[Milestone, bool]:
    """Move a milestone to ``to_status``: the only place where its status
    changes.

    Progress is follow-up, not content: it is recorded whatever the plan's
    state and does not reopen a validated plan. Refuses a move not declared
    in ``MILESTONE_TRANSITIONS``. Returns the milestone and whether it moved.
    """
    milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("action__plan__territory")
        .get(pk=milestone_id)
    )
    plan = milestone.action.plan
    _require(actor, "support.view_plan", plan)
    if to_status not in MilestoneStatus.values:
        raise SupportError(_("Choisissez un des statuts proposés."))
    moved = MILESTONE_STATES.move(
        milestone, to_status, actor=actor, data={"plan": plan.pk}
    )
    return milestone, moved


@transaction.atomic
def add_comment(
    *, plan: SupportPlan, actor, body: str, action: Action | None = None
) -> Comment:
    """A comment by the team or the High Commission, in any state of the plan."""
    _require(actor, "support.comment_plan", plan)
    if action is not None and action.plan_id != plan.pk:
        raise SupportError(_("Cette action n'appartient pas à ce plan."))
    comment = Comment.objects.create(
        plan=plan,
        action=action,
        author=_user_or_none(actor),
        author_role=CommentAuthorRole.STAFF
        if actor.is_programme_staff
        else CommentAuthorRole.TEAM,
        body=_clean_text(body, label=_("Commentaire")),
    )
    audit.record(
        actor=actor,
        action="support.plan.commented",
        obj=plan,
        data={"comment": comment.pk, "action": action.pk if action else None},
    )
    return comment


# --- Regulatory barriers ------------------------------------------------------


@transaction.atomic
def report_barrier(
    *,
    territory: Territory,
    reporter,
    title: str,
    blocking: str,
    legal_text: str,
    impact: str,
    project: str = "",
) -> RegulatoryBarrier:
    """A member of a labelled territory's team reports a regulatory barrier."""
    if not territory_member(reporter, territory):
        raise PermissionDenied
    barrier = RegulatoryBarrier(
        territory=territory,
        reporter=reporter,
        title=_clean_text(title, label=_("Intitulé")),
        blocking=_clean_text(blocking, label=_("Ce qui bloque")),
        legal_text=_clean_text(legal_text, label=_("Texte en cause")),
        impact=_clean_text(impact, label=_("Conséquences pour le projet")),
        project=(project or "").strip(),
    )
    barrier.full_clean()
    barrier.save()
    audit.record(
        actor=reporter,
        action="support.barrier.received",
        obj=barrier,
        to_state=barrier.state,
    )
    recipients = _staff_emails()
    if recipients:
        queue_email(
            to=recipients,
            template="support_barrier_reported",
            context={"barrier": barrier, "territory": territory},
        )
    return barrier


@transaction.atomic
def transition_barrier(
    *, barrier_id: int, to_state: str, actor, response: str = ""
) -> tuple[RegulatoryBarrier, bool]:
    """Move a barrier to ``to_state``: the only place where its state changes.

    Locks the row, does nothing if the barrier is already there, refuses a
    move not declared in ``BARRIER_TRANSITIONS``. An outcome (answer,
    referral to France Expérimentation, closing) needs a written response,
    saved with it and sent to the reporter by e-mail after the commit.
    """
    _require(actor, "support.manage_barriers", None)
    barrier = (
        RegulatoryBarrier.objects.select_for_update(of=("self",))
        .select_related("territory", "reporter")
        .get(pk=barrier_id)
    )

    def record_response(from_state):
        if to_state not in RESPONSE_STATES:
            return []
        barrier.response = _clean_text(
            response,
            label=_("Motif")
            if to_state == BarrierState.CLOSED
            else _("Réponse au territoire"),
        )
        barrier.responded_at = timezone.now()
        barrier.responded_by = _user_or_none(actor)
        return ["response", "responded_at", "responded_by"]

    moved = BARRIER_STATES.move(
        barrier,
        to_state,
        actor=actor,
        before_save=record_response,
        comment=lambda: barrier.response if to_state in RESPONSE_STATES else "",
    )
    if not moved:
        return barrier, False
    if to_state in RESPONSE_STATES and barrier.reporter and barrier.reporter.is_active:
        queue_email(
            to=[barrier.reporter.email],
            template=f"support_barrier_{to_state}",
            context={"barrier": barrier, "territory": barrier.territory},
        )
    return barrier, True


def study_barrier(*, barrier: RegulatoryBarrier, actor) -> RegulatoryBarrier:
    return transition_barrier(
        barrier_id=barrier.pk, to_state=BarrierState.UNDER_STUDY, actor=actor
    )[0]


def answer_barrier(
    *, barrier: RegulatoryBarrier, actor, response: str
) -> RegulatoryBarrier:
    return transition_barrier(
        barrier_id=barrier.pk,
        to_state=BarrierState.ANSWERED,
        actor=actor,
        response=response,
    )[0]


def refer_barrier(
    *, barrier: RegulatoryBarrier, actor, response: str
) -> RegulatoryBarrier:
    return transition_barrier(
        barrier_id=barrier.pk,
        to_state=BarrierState.REFERRED,
        actor=actor,
        response=response,
    )[0]


def close_barrier(
    *, barrier: RegulatoryBarrier, actor, reason: str
) -> RegulatoryBarrier:
    return transition_barrier(
        barrier_id=barrier.pk,
        to_state=BarrierState.CLOSED,
        actor=actor,
        response=reason,
    )[0]


@transaction.atomic
def set_barrier_published(
    *, barrier: RegulatoryBarrier, actor, published: bool
) -> RegulatoryBarrier:
    """Publish an answered barrier (without personal data), or withdraw it."""
    _require(actor, "support.manage_barriers", None)
    barrier = RegulatoryBarrier.objects.select_for_update().get(pk=barrier.pk)
    if published == (barrier.published_at is not None):
        return barrier
    if published and barrier.state not in PUBLISHABLE_STATES:
        raise SupportError(_("Seul un frein qui a reçu une réponse peut être publié."))
    barrier.published_at = timezone.now() if published else None
    barrier.save(update_fields=["published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="support.barrier.published"
        if published
        else "support.barrier.unpublished",
        obj=barrier,
    )
    return barrier
