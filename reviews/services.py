"""Every write of the review: assignment, conflicts, scores, complements,
messages, decisions and their publication."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from applications.enums import CandidacyState, WaveStatus
from applications.models import Candidacy, Wave
from applications.services import CandidacyError, transition
from frenchimpact import audit, scanning
from frenchimpact.mail import queue_email
from territories import services as territory_services
from territories.enums import LabelStatus
from territories.models import Department, Label, Organisation, Region, Territory

from .enums import ConflictStatus, Outcome, ReviewState
from .models import Assignment, Decision, ExpertRequest, Message, Review, Score

REVIEW_STATES = frozenset({CandidacyState.UNDER_REVIEW, CandidacyState.RESUBMITTED})
LABEL_VALIDITY_YEARS = 3


class ReviewError(CandidacyError):
    """A refused review action, with a message for the person who asked."""


def _team_emails(candidacy) -> list[str]:
    return list(candidacy.memberships.values_list("user__email", flat=True))


# --- Opening the review and assigning reviewers ---------------------------------


@transaction.atomic
def open_review(*, wave: Wave, actor, at=None) -> int:
    """Close the deposits of a wave and put its deposited candidacies under
    review. Returns how many candidacies entered the review."""
    at = at or timezone.now()
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if at < wave.closes_at:
        raise ReviewError(_("La vague est encore ouverte aux dépôts."))
    moved = 0
    for candidacy_id in wave.candidacies.filter(
        state=CandidacyState.SUBMITTED
    ).values_list("pk", flat=True):
        transition(
            candidacy_id=candidacy_id, to_state=CandidacyState.UNDER_REVIEW, actor=actor
        )
        moved += 1
    if wave.status != WaveStatus.UNDER_REVIEW:
        wave.status = WaveStatus.UNDER_REVIEW
        wave.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="applications.wave.review_opened", obj=wave)
    return moved


def _check_reviewer(candidacy: Candidacy, reviewer: User) -> None:
    if reviewer.role != Role.REVIEWER or not reviewer.is_active:
        raise ReviewError(_("Cette personne n'est pas instructrice."))
    if candidacy.state not in REVIEW_STATES:
        raise ReviewError(_("Cette candidature n'est pas en instruction."))
    if candidacy.memberships.filter(user=reviewer).exists():
        raise ReviewError(_("Un membre de l'équipe ne peut pas instruire son dossier."))


@transaction.atomic
def assign_reviewer(*, candidacy: Candidacy, reviewer: User, actor) -> Assignment:
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    _check_reviewer(candidacy, reviewer)
    previous = Assignment.objects.filter(candidacy=candidacy, reviewer=reviewer).first()
    if previous is not None:
        if previous.conflict_status == ConflictStatus.CONFLICT:
            raise ReviewError(
                _("Cette personne a déclaré un conflit d'intérêts sur ce dossier.")
            )
        return previous
    assignment = Assignment.objects.create(
        candidacy=candidacy, reviewer=reviewer, assigned_by=actor
    )
    audit.record(
        actor=actor,
        action="reviews.assignment.created",
        obj=candidacy,
        data={"reviewer": reviewer.pk},
    )
    queue_email(
        to=[reviewer.email],
        template="review_assigned",
        context={"candidacy": candidacy, "reviewer": reviewer},
    )
    return assignment


@transaction.atomic
def auto_assign(*, wave: Wave, per_candidacy: int, actor) -> list[Assignment]:
    """Give each candidacy under review ``per_candidacy`` reviewers without
    conflict, choosing each time the least loaded reviewer: loads over the
    wave differ by at most one. Conflicted reviewers and team members are
    never chosen."""
    reviewers = list(
        User.objects.filter(role=Role.REVIEWER, is_active=True).order_by("pk")
    )
    assignments = list(
        Assignment.objects.filter(candidacy__wave=wave).values_list(
            "candidacy_id", "reviewer_id", "conflict_status"
        )
    )
    load = {reviewer.pk: 0 for reviewer in reviewers}
    taken: dict[int, set[int]] = {}
    active: dict[int, int] = {}
    for candidacy_id, reviewer_id, status in assignments:
        taken.setdefault(candidacy_id, set()).add(reviewer_id)
        if status != ConflictStatus.CONFLICT:
            active[candidacy_id] = active.get(candidacy_id, 0) + 1
            if reviewer_id in load:
                load[reviewer_id] += 1
    created = []
    candidacies = (
        wave.candidacies.filter(state__in=REVIEW_STATES)
        .prefetch_related("memberships")
        .order_by("pk")
    )
    for candidacy in candidacies:
        team = {m.user_id for m in candidacy.memberships.all()}
        missing = per_candidacy - active.get(candidacy.pk, 0)
        for _slot in range(missing):
            excluded = taken.get(candidacy.pk, set()) | team
            choices = [r for r in reviewers if r.pk not in excluded]
            if not choices:
                break
            reviewer = min(choices, key=lambda r: (load[r.pk], r.pk))
            created.append(
                assign_reviewer(candidacy=candidacy, reviewer=reviewer, actor=actor)
            )
            load[reviewer.pk] += 1
            taken.setdefault(candidacy.pk, set()).add(reviewer.pk)
    return created


@transaction.atomic
def declare_interests(
    *, assignment: Assignment, user, has_conflict: bool, reason: str = ""
) -> Assignment:
    """The reviewer states, before reading the file, whether they have a
    conflict of interests. A conflict removes them from the candidacy."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.reviewer_id != user.pk:
        raise ReviewError(_("Seule la personne affectée peut faire cette déclaration."))
    if assignment.conflict_status != ConflictStatus.PENDING:
        return assignment
    if has_conflict and not reason.strip():
        raise ReviewError(_("Précisez la nature du conflit d'intérêts."))
    assignment.conflict_status = (
        ConflictStatus.CONFLICT if has_conflict else ConflictStatus.NONE
    )
    assignment.conflict_reason = reason.strip()
    assignment.declared_at = timezone.now()
    assignment.save(
        update_fields=[
            "conflict_status",
            "conflict_reason",
            "declared_at",
            "updated_at",
        ]
    )
    audit.record(
        actor=user,
        action=f"reviews.assignment.{assignment.conflict_status}",
        obj=assignment.candidacy,
        comment=assignment.conflict_reason,
    )
    return assignment


# --- Scoring ----------------------------------------------------------------------


@transaction.atomic
def save_review(
    *,
    assignment: Assignment,
    user,
    version: int,
    scores: dict[int, tuple[int | None, str, bool]],
    recommendation: str,
    comment: str,
    submit: bool = False,
) -> Review:
    """Save a review as a draft, or submit it once complete.

    ``scores`` maps criterion ids to (value or None, comment, shared). A
    value outside the criterion's scale is refused; a review saved by
    someone else meanwhile raises a conflict; a submitted review is final.
    """
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("candidacy__wave")
        .get(pk=assignment.pk)
    )
    if assignment.reviewer_id != user.pk:
        raise ReviewError(_("Seule la personne affectée peut noter ce dossier."))
    if assignment.conflict_status != ConflictStatus.NONE:
        raise ReviewError(_("Déclarez d'abord l'absence de conflit d'intérêts."))
    if assignment.candidacy.state not in REVIEW_STATES | {
        CandidacyState.CHANGES_REQUESTED
    }:
        raise ReviewError(_("Cette candidature n'est plus en instruction."))
    review, _created = Review.objects.select_for_update().get_or_create(
        assignment=assignment
    )
    if review.state == ReviewState.SUBMITTED:
        raise ReviewError(_("Ce rapport a déjà été remis : il ne peut plus changer."))
    if review.version != version:
        raise ReviewError(
            _("Ce rapport a été modifié dans une autre fenêtre : rechargez la page.")
        )
    criteria = {c.pk: c for c in assignment.candidacy.wave.criteria.all()}
    for criterion_id, (value, _comment, _shared) in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ReviewError(_("Critère inconnu pour cette vague."))
        if value is not None and not 0 <= value <= criterion.scale_max:
            raise ReviewError(
                _("La note de « %(criterion)s » doit être comprise entre 0 et %(max)d.")
                % {"criterion": criterion.title, "max": criterion.scale_max}
            )
    if submit:
        missing = [
            c.title for c in criteria.values() if scores.get(c.pk, (None,))[0] is None
        ]
        if missing or not recommendation:
            raise ReviewError(
                _(
                    "Le rapport est incomplet : notez chaque critère et donnez une "
                    "recommandation avant de le remettre."
                )
            )
    for criterion_id, (value, score_comment, shared) in scores.items():
        if value is None:
            Score.objects.filter(review=review, criterion_id=criterion_id).delete()
            continue
        Score.objects.update_or_create(
            review=review,
            criterion_id=criterion_id,
            defaults={"value": value, "comment": score_comment, "shared": shared},
        )
    review.recommendation = recommendation
    review.comment = comment
    review.version += 1
    fields = ["recommendation", "comment", "version", "updated_at"]
    if submit:
        review.state = ReviewState.SUBMITTED
        review.submitted_at = timezone.now()
        fields += ["state", "submitted_at"]
        audit.record(
            actor=user,
            action="reviews.review.submitted",
            obj=assignment.candidacy,
            data={"review": review.pk},
        )
    review.save(update_fields=fields)
    return review


# --- Complements and messages ---------------------------------------------------------


@transaction.atomic
def request_changes(*, candidacy: Candidacy, actor, message: str) -> Candidacy:
    if not message.strip():
        raise ReviewError(_("Indiquez ce qui manque au dossier."))
    candidacy, _moved = transition(
        candidacy_id=candidacy.pk,
        to_state=CandidacyState.CHANGES_REQUESTED,
        actor=actor,
        comment=message,
    )
    post_message(candidacy=candidacy, author=actor, body=message)
    return candidacy


@transaction.atomic
def post_message(*, candidacy: Candidacy, author, body: str) -> Message:
    body = body.strip()
    if not body:
        raise ReviewError(_("Le message est vide."))
    from_staff = author.is_programme_staff
    message = Message.objects.create(
        candidacy=candidacy, author=author, from_staff=from_staff, body=body
    )
    if from_staff:
        recipients = _team_emails(candidacy)
    else:
        recipients = list(
            User.objects.filter(role=Role.STAFF, is_active=True).values_list(
                "email", flat=True
            )
        )
    if recipients:
        queue_email(
            to=recipients,
            template="message",
            context={"candidacy": candidacy, "message": message},
        )
    audit.record(actor=author, action="reviews.message.posted", obj=candidacy)
    return message


# --- Decisions ---------------------------------------------------------------------


@transaction.atomic
def prepare_decision(
    *,
    candidacy: Candidacy,
    actor,
    outcome: str,
    reasons: str,
    conditions: str = "",
    conditions_due_on: dt.date | None = None,
) -> Decision:
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if candidacy.state not in REVIEW_STATES:
        raise ReviewError(_("Cette candidature n'est pas en instruction."))
    if not Review.objects.filter(
        assignment__candidacy=candidacy, state=ReviewState.SUBMITTED
    ).exists():
        raise ReviewError(
            _("Aucun rapport d'instruction n'a été remis : la décision attendra.")
        )
    if not reasons.strip():
        raise ReviewError(_("Motivez la décision."))
    if outcome == Outcome.LABEL_WITH_CONDITIONS and not (
        conditions.strip() and conditions_due_on
    ):
        raise ReviewError(
            _("Une labellisation sous conditions précise les conditions et leur date.")
        )
    decision = Decision.objects.filter(candidacy=candidacy).first()
    if decision is not None and decision.published_at:
        raise ReviewError(_("La décision est déjà publiée."))
    decision, _created = Decision.objects.update_or_create(
        candidacy=candidacy,
        defaults={
            "outcome": outcome,
            "reasons": reasons.strip(),
            "conditions": conditions.strip()
            if outcome == Outcome.LABEL_WITH_CONDITIONS
            else "",
            "conditions_due_on": conditions_due_on
            if outcome == Outcome.LABEL_WITH_CONDITIONS
            else None,
            "prepared_by": actor,
        },
    )
    audit.record(
        actor=actor,
        action="reviews.decision.prepared",
        obj=candidacy,
        data={"outcome": outcome},
    )
    return decision


def _lead_organisation_for(candidacy: Candidacy) -> Organisation | None:
    """The candidacy's lead organisation in the register: the one with the
    same SIRET if it is known already, otherwise a new one."""
    if not candidacy.lead_name:
        return None
    fields = {
        "name": candidacy.lead_name,
        "kind": candidacy.lead_kind,
        "town": candidacy.lead_town,
    }
    if candidacy.lead_siret:
        organisation, _created = Organisation.objects.get_or_create(
            siret=candidacy.lead_siret, defaults=fields
        )
        return organisation
    return Organisation.objects.create(**fields)


def _territory_for(candidacy: Candidacy) -> Territory:
    if candidacy.territory_id:
        return candidacy.territory
    from django.utils.text import slugify

    base = slugify(candidacy.territory_name)[:180] or "territoire"
    slug, n = base, 1
    while Territory.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    territory = Territory.objects.create(
        name=candidacy.territory_name,
        slug=slug,
        kind=candidacy.territory_kind,
        epci_codes=candidacy.epci_codes,
        commune_codes=candidacy.commune_codes,
        description=candidacy.perimeter,
        lead_organisation=_lead_organisation_for(candidacy),
    )
    territory.regions.set(Region.objects.filter(code__in=candidacy.region_codes))
    territory.departments.set(
        Department.objects.filter(code__in=candidacy.department_codes)
    )
    Candidacy.objects.filter(pk=candidacy.pk).update(territory=territory)
    return territory


@transaction.atomic
def publish_decision(*, decision: Decision, actor, on: dt.date | None = None):
    """Publish one prepared decision: exactly once, whoever clicks.

    Labelling creates the territory's label (unique per territory and wave,
    with an unguessable verification code), which puts the territory in the
    public directory, and notifies the team.
    """
    on = on or timezone.localdate()
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.published_at:
        return decision, None
    candidacy = decision.candidacy
    to_state = (
        CandidacyState.REJECTED
        if decision.outcome == Outcome.REJECT
        else CandidacyState.LABELLED
    )
    transition(
        candidacy_id=candidacy.pk,
        to_state=to_state,
        actor=actor,
        comment=decision.reasons,
    )
    label = None
    if to_state == CandidacyState.LABELLED:
        territory = _territory_for(candidacy)
        wave = candidacy.wave
        if Label.objects.filter(territory=territory, wave=wave).exists():
            raise ReviewError(_("Ce territoire est déjà labellisé pour cette vague."))
        try:
            with transaction.atomic():
                label = Label.objects.create(
                    territory=territory,
                    wave=wave,
                    number=f"TFI-{on.year}-{wave.number:02d}-{candidacy.pk:05d}",
                    awarded_on=on,
                    valid_until=on.replace(year=on.year + LABEL_VALIDITY_YEARS),
                    status=LabelStatus.CONDITIONAL
                    if decision.outcome == Outcome.LABEL_WITH_CONDITIONS
                    else LabelStatus.ACTIVE,
                )
        except IntegrityError as error:
            raise ReviewError(
                _("Ce territoire est déjà labellisé pour cette vague.")
            ) from error
        audit.record(
            actor=actor,
            action="territories.label.issued",
            obj=label,
            to_state=label.status,
            data={"number": label.number},
        )
        territory_services.refresh_search_text(territory=territory)
        territory_services.request_certificate(label=label)
    decision.published_at = timezone.now()
    decision.save(update_fields=["published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="reviews.decision.published",
        obj=candidacy,
        data={"outcome": decision.outcome},
    )
    from .reports import request_review_report  # reports import the selectors

    request_review_report(candidacy=candidacy, audience="team")
    queue_email(
        to=_team_emails(candidacy),
        template="decision",
        context={"candidacy": candidacy, "decision": decision, "label": label},
    )
    return decision, label


def publish_wave_decisions(*, wave: Wave, actor, on: dt.date | None = None) -> int:
    """Publish together every prepared decision of a wave. Returns how many
    were published by this call."""
    published = 0
    for decision in Decision.objects.filter(
        candidacy__wave=wave, published_at__isnull=True
    ).order_by("pk"):
        publish_decision(decision=decision, actor=actor, on=on)
        published += 1
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if not wave.candidacies.filter(state__in=REVIEW_STATES).exists():
            wave.status = WaveStatus.DECIDED
            wave.decisions_published_on = on or timezone.localdate()
            wave.save(update_fields=["status", "decisions_published_on", "updated_at"])
    return published


@transaction.atomic
def lift_conditions(*, decision: Decision, actor, comment: str = "") -> Label:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    label = Label.objects.get(
        territory=decision.candidacy.territory, wave=decision.candidacy.wave
    )
    label = territory_services.change_label_status(
        label=label,
        to_status=LabelStatus.ACTIVE,
        actor=actor,
        reason=comment or _("Conditions levées"),
    )
    decision.conditions_lifted_at = timezone.now()
    decision.save(update_fields=["conditions_lifted_at", "updated_at"])
    return label


# --- Expert opinions (AVISE) ------------------------------------------------


@transaction.atomic
def request_expert_opinion(
    *, candidacy: Candidacy, expert: User, actor, question: str, due_on: dt.date
) -> ExpertRequest:
    if expert.role != Role.EXPERT or not expert.is_active:
        raise ReviewError(_("Cette personne n'est pas experte."))
    if not question.strip():
        raise ReviewError(_("Posez la question à l'expert."))
    if due_on < timezone.localdate():
        raise ReviewError(_("La date attendue est déjà passée."))
    request = ExpertRequest.objects.create(
        candidacy=candidacy,
        expert=expert,
        requested_by=actor,
        question=question.strip(),
        due_on=due_on,
    )
    audit.record(
        actor=actor,
        action="reviews.expert_opinion.requested",
        obj=candidacy,
        data={"expert": expert.pk},
    )
    queue_email(
        to=[expert.email],
        template="expert_requested",
        context={"request": request, "candidacy": candidacy},
    )
    return request


@transaction.atomic
def answer_expert_opinion(
    *, request: ExpertRequest, user, answer: str, uploaded_file=None
) -> ExpertRequest:
    from django.conf import settings

    from applications import uploads

    request = ExpertRequest.objects.select_for_update().get(pk=request.pk)
    if request.expert_id != user.pk:
        raise ReviewError(_("Seul l'expert sollicité peut rendre cet avis."))
    if request.answered_at:
        raise ReviewError(_("Cet avis a déjà été rendu."))
    if not answer.strip():
        raise ReviewError(_("L'avis est vide."))
    if uploaded_file is not None:
        checked = uploads.check_upload(
            uploaded_file, max_bytes=settings.UPLOAD_MAX_BYTES
        )
        request.attachment.save(checked.safe_name, uploaded_file, save=False)
        request.attachment_name = checked.safe_name
    request.answer = answer.strip()
    request.answered_at = timezone.now()
    request.save()
    if uploaded_file is not None:
        scanning.request_scan(request)
    audit.record(
        actor=user, action="reviews.expert_opinion.answered", obj=request.candidacy
    )
    return request


def remind_late_experts(*, today: dt.date | None = None) -> int:
    """E-mail the experts whose opinion is late, at most once a week each."""
    today = today or timezone.localdate()
    reminded = 0
    late = ExpertRequest.objects.filter(
        answered_at__isnull=True, due_on__lt=today
    ).select_related("expert", "candidacy")
    for request in late:
        if request.reminded_on and (today - request.reminded_on).days < 7:
            continue
        with transaction.atomic():
            ExpertRequest.objects.filter(pk=request.pk).update(reminded_on=today)
            queue_email(
                to=[request.expert.email],
                template="expert_reminder",
                context={"request": request, "candidacy": request.candidacy},
            )
        reminded += 1
    return reminded
