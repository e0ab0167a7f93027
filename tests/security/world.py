"""The world of the permission matrix: two teams (A and B), reviewers,
experts and the High Commission, with objects in meaningful states.

Team A (a lead and a co-editor) has:

- a candidacy under review (``review``) with its receipt, a team message, two
  reviewers (one without conflict, whose review is a draft; one who declared
  a conflict), an expert asked for an opinion (not answered yet; a file on
  the request), a staff report and a wave report;
- a complete draft candidacy (``draft``) in an open wave, with an attachment
  and a pending invitation: what a refused POST could submit, withdraw,
  delete or edit;
- a labelled candidacy (``labelled``) with its published decision, the
  team's review report, and the territory it labelled: label, certificate,
  challenges (one published, one not), project, objective, a progress report
  with evidence, a support plan (validated once, then reopened with a new
  action and milestone), a plan comment, a regulatory barrier and another,
  answered and published; and the open-data files rebuilt from all this.

Team B mirrors the parts that the lists show: a candidacy under review with
its own reviewer and expert, a labelled territory with a challenge, a plan
and a barrier.

Every private value of A is a ``marker``: a string that no page shown to
someone outside A's team (or the High Commission) may contain.
"""

import datetime as dt
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.enums import Role
from applications import services as application_services
from applications.enums import CandidacyState, TeamRole
from applications.models import Attachment, Candidacy, TeamMembership
from challenges import services as challenge_services
from challenges.models import ProgressReport
from frenchimpact.enums import DocumentStatus
from reviews import reports
from reviews import services as review_services
from reviews.models import Decision, WaveReport
from support import services as support_services
from territories.models import Label
from tests.factories import (
    ChallengeFactory,
    ObjectiveFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    candidacy_for,
    complete,
    open_wave,
    wave_with_grid,
)

# Roles of the matrix, in the order of the reports.
ANON = "anonymous"
LEAD_A = "lead_a"
LEAD_B = "lead_b"
COEDITOR_A = "coeditor_a"
REVIEWER_A = "reviewer_a"
REVIEWER_OTHER = "reviewer_other"
REVIEWER_CONFLICT = "reviewer_conflict"
EXPERT_A = "expert_a"
EXPERT_OTHER = "expert_other"
STAFF = "staff"
ROLES = [
    ANON,
    LEAD_A,
    LEAD_B,
    COEDITOR_A,
    REVIEWER_A,
    REVIEWER_OTHER,
    REVIEWER_CONFLICT,
    EXPERT_A,
    EXPERT_OTHER,
    STAFF,
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(marker: str) -> ContentFile:
    return ContentFile(PDF + f"% {marker}\n".encode())


def _ready(document, marker: str, name: str = "document.pdf"):
    """Give a queued document (receipt, report, certificate) its file."""
    document.file.save(name, _pdf(marker), save=False)
    document.status = DocumentStatus.READY
    document.save()
    return document


def _under_review(candidacy, staff):
    application_services.submit_candidacy(
        candidacy_id=candidacy.pk, user=candidacy.created_by
    )
    application_services.transition(
        candidacy_id=candidacy.pk, to_state=CandidacyState.UNDER_REVIEW, actor=staff
    )
    candidacy.refresh_from_db()
    return candidacy


def _assign(candidacy, reviewer, staff, *, conflict=False):
    assignment = review_services.assign_reviewer(
        candidacy=candidacy, reviewer=reviewer, actor=staff
    )
    review_services.declare_interests(
        assignment=assignment,
        user=reviewer,
        has_conflict=conflict,
        reason="Je conseille cette équipe." if conflict else "",
    )
    assignment.refresh_from_db()
    return assignment


def _submit_review(assignment, comment, *, submit=True):
    criteria = list(assignment.candidacy.wave.criteria.order_by("position"))
    return review_services.save_review(
        assignment=assignment,
        user=assignment.reviewer,
        version=0,
        scores={c.pk: (4, "Note argumentée", True) for c in criteria},
        recommendation="label",
        comment=comment,
        submit=submit,
    )


def _co_editor(candidacy, user):
    TeamMembership.objects.create(
        candidacy=candidacy, user=user, role=TeamRole.CO_EDITOR
    )


def _labelled_quickly(user, wave, territory):
    """A labelled candidacy of ``territory`` led by ``user``, without the
    review (the flow is exercised for team A)."""
    candidacy = candidacy_for(user=user, wave=wave)
    Candidacy.objects.filter(pk=candidacy.pk).update(
        state=CandidacyState.LABELLED, territory=territory
    )
    return candidacy


def build_world() -> SimpleNamespace:
    today = timezone.localdate()
    w = SimpleNamespace()
    w.users = {
        ANON: None,
        LEAD_A: UserFactory(email="responsable-a@example.org"),
        LEAD_B: UserFactory(email="responsable-b@example.org"),
        COEDITOR_A: UserFactory(email="coredacteur-a@example.org"),
        REVIEWER_A: UserFactory(role=Role.REVIEWER, email="instructeur-a@example.org"),
        REVIEWER_OTHER: UserFactory(
            role=Role.REVIEWER, email="instructeur-b@example.org"
        ),
        REVIEWER_CONFLICT: UserFactory(
            role=Role.REVIEWER, email="instructeur-conflit@example.org"
        ),
        EXPERT_A: UserFactory(role=Role.EXPERT, email="expert-a@example.org"),
        EXPERT_OTHER: UserFactory(role=Role.EXPERT, email="expert-b@example.org"),
        STAFF: UserFactory(
            role=Role.STAFF, is_staff=True, email="haut-commissariat@example.org"
        ),
    }
    w.superuser = UserFactory(
        role=Role.STAFF,
        is_staff=True,
        is_superuser=True,
        email="administrateur@example.org",
    )
    u = w.users
    staff, lead_a, lead_b = u[STAFF], u[LEAD_A], u[LEAD_B]

    # --- the waves ------------------------------------------------------------
    w.wave = wave_with_grid()  # candidacies under review, A's and B's
    w.labelled_wave = wave_with_grid()
    w.draft_wave = open_wave()

    # --- team A: the candidacy under review -----------------------------------
    w.review = complete(candidacy_for(user=lead_a, wave=w.wave))
    _co_editor(w.review, u[COEDITOR_A])
    w.message = review_services.post_message(
        candidacy=w.review, author=lead_a, body="Message confidentiel de l'équipe A"
    )
    w.review = _under_review(w.review, staff)
    w.receipt = _ready(w.review.receipts.get(number=1), "RECEPISSE-CONFIDENTIEL-A")
    w.assignment = _assign(w.review, u[REVIEWER_A], staff)
    # a draft: what a wrongly accepted POST of another person would overwrite
    _submit_review(w.assignment, "Avis confidentiel de l'instructeur A", submit=False)
    w.conflict_assignment = _assign(
        w.review, u[REVIEWER_CONFLICT], staff, conflict=True
    )
    w.expert_request = review_services.request_expert_opinion(
        candidacy=w.review,
        expert=u[EXPERT_A],
        actor=staff,
        question="Question confidentielle à l'expert sur A",
        due_on=today + dt.timedelta(days=10),
    )
    w.expert_request.attachment.save("avis.pdf", _pdf("AVIS-EXPERT-CONFIDENTIEL-A"))
    w.expert_request.attachment_name = "avis.pdf"
    w.expert_request.save()
    _ready(
        reports.request_review_report(candidacy=w.review, audience="staff"),
        "RAPPORT-HC-CONFIDENTIEL-A",
    )
    WaveReport.objects.create(
        wave=w.wave,
        inputs_hash="matrice",
        status=DocumentStatus.READY,
        file=ContentFile(PDF + b"% RAPPORT-VAGUE-CONFIDENTIEL\n", name="vague.pdf"),
    )

    # --- team A: a complete draft ---------------------------------------------
    w.draft = complete(candidacy_for(user=lead_a, wave=w.draft_wave))
    _co_editor(w.draft, u[COEDITOR_A])
    w.attachment = Attachment(
        candidacy=w.draft,
        name="note.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=lead_a,
    )
    w.attachment.file.save("note.pdf", _pdf("PIECE-JOINTE-CONFIDENTIELLE-A"))
    w.invitation = application_services.invite_co_editor(
        candidacy=w.draft, user=lead_a, email="invitee-a@example.org"
    )
    w.invitation_token = application_services.invitation_token(w.invitation)

    # --- team A: the labelled candidacy and its territory ---------------------
    w.territory = TerritoryFactory(name="Territoire Alpha de la matrice")
    w.labelled = complete(candidacy_for(user=lead_a, wave=w.labelled_wave))
    Candidacy.objects.filter(pk=w.labelled.pk).update(territory=w.territory)
    _co_editor(w.labelled, u[COEDITOR_A])
    w.labelled = _under_review(Candidacy.objects.get(pk=w.labelled.pk), staff)
    _submit_review(_assign(w.labelled, UserFactory(role=Role.REVIEWER), staff), "Avis")
    w.decision = review_services.prepare_decision(
        candidacy=w.labelled,
        actor=staff,
        outcome="label",
        reasons="Motifs de la décision A",
    )
    _decision, w.label = review_services.publish_decision(
        decision=w.decision, actor=staff
    )
    w.decision = Decision.objects.get(pk=w.decision.pk)
    w.labelled.refresh_from_db()
    _ready(
        w.labelled.review_reports.get(audience="team"), "RAPPORT-EQUIPE-CONFIDENTIEL-A"
    )
    _ready(w.label.certificates.get(language="fr"), "CERTIFICAT-A")

    # the follow-up of A's territory
    w.challenge = ChallengeFactory(territory=w.territory, title="Défi public A")
    w.hidden_challenge = ChallengeFactory(
        territory=w.territory,
        title="Défi brouillon confidentiel A",
        is_published=False,
    )
    w.project = ProjectFactory(challenge=w.challenge, name="Projet public A")
    w.hidden_project = ProjectFactory(
        challenge=w.hidden_challenge, name="Projet du défi brouillon A"
    )
    w.objective = ObjectiveFactory(project=w.project)
    w.progress = ProgressReport.objects.create(
        objective=w.objective,
        reported_on=dt.date(2024, 6, 30),
        value=10,
        created_by=lead_a,
        evidence_name="bilan.pdf",
        kind="pdf",
        content_type="application/pdf",
    )
    w.progress.evidence.save("bilan.pdf", _pdf("JUSTIFICATIF-CONFIDENTIEL-A"))
    w.campaign = challenge_services.open_campaign(
        user=staff,
        year=today.year,
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=30),
    )
    w.plan = support_services.create_plan(
        territory=w.territory, actor=lead_a, seed=False
    )
    support_services.add_action(
        plan=w.plan,
        actor=lead_a,
        axis="strategy",
        title="Action publique A",
        owner_kind="territory",
        owner_name="Structure A",
    )
    support_services.submit_plan(plan=w.plan, actor=lead_a)
    support_services.validate_plan(plan=w.plan, actor=staff)
    w.action = support_services.add_action(
        plan=w.plan,
        actor=lead_a,
        axis="strategy",
        title="Action confidentielle A",
        owner_kind="territory",
        owner_name="Structure A",
    )
    w.milestone = support_services.add_milestone(
        action=w.action,
        actor=lead_a,
        title="Jalon confidentiel A",
        due_on=dt.date(2030, 1, 1),
    )
    support_services.add_comment(
        plan=w.plan, actor=lead_a, body="Commentaire confidentiel A"
    )
    w.plan.refresh_from_db()
    w.barrier = support_services.report_barrier(
        territory=w.territory,
        reporter=lead_a,
        title="Frein confidentiel A",
        blocking="Ce qui bloque A",
        legal_text="Article confidentiel A",
        impact="Conséquences A",
    )

    published = support_services.report_barrier(
        territory=w.territory,
        reporter=lead_a,
        title="Frein levé et publié",
        blocking="Ce qui bloquait",
        legal_text="Article public",
        impact="Conséquences publiques",
    )
    support_services.study_barrier(barrier=published, actor=staff)
    support_services.answer_barrier(
        barrier=published, actor=staff, response="Réponse publique"
    )
    support_services.set_barrier_published(
        barrier=published, actor=staff, published=True
    )

    # --- team B ---------------------------------------------------------------
    w.review_b = complete(candidacy_for(user=lead_b, wave=w.wave))
    w.review_b = _under_review(w.review_b, staff)
    _ready(w.review_b.receipts.get(number=1), "RECEPISSE-B")
    w.assignment_b = _assign(w.review_b, u[REVIEWER_OTHER], staff)
    review_services.request_expert_opinion(
        candidacy=w.review_b,
        expert=u[EXPERT_OTHER],
        actor=staff,
        question="Question à l'expert sur B",
        due_on=today + dt.timedelta(days=10),
    )
    w.territory_b = TerritoryFactory(name="Territoire Bêta de la matrice")
    Label.objects.create(
        territory=w.territory_b,
        wave=w.labelled_wave,
        number="TFI-MATRICE-B",
        awarded_on=dt.date(2024, 3, 1),
    )
    w.labelled_b = _labelled_quickly(lead_b, w.draft_wave, w.territory_b)
    ChallengeFactory(
        territory=w.territory_b, title="Défi brouillon B", is_published=False
    )
    w.plan_b = support_services.create_plan(
        territory=w.territory_b, actor=lead_b, seed=False
    )
    support_services.add_action(
        plan=w.plan_b,
        actor=lead_b,
        axis="strategy",
        title="Action de l'équipe B",
        owner_kind="territory",
        owner_name="Structure B",
    )
    w.barrier_b = support_services.report_barrier(
        territory=w.territory_b,
        reporter=lead_b,
        title="Frein de l'équipe B",
        blocking="Ce qui bloque B",
        legal_text="Article B",
        impact="Conséquences B",
    )

    # --- the open data, as published from all this ----------------------------
    from opendata.services import OBJECTIVES, rebuild_open_data

    rebuild_open_data()
    w.open_data_file = f"{OBJECTIVES}.json"

    # --- what must not leak ---------------------------------------------------
    w.markers = {
        # candidacies and the review
        "reference under review": w.review.reference,
        "reference of the draft": w.draft.reference,
        "reference of the labelled candidacy": w.labelled.reference,
        "team message": w.message.body,
        "review comment": "Avis confidentiel de l'instructeur A",
        "question to the expert": w.expert_request.question,
        # files
        "receipt": "RECEPISSE-CONFIDENTIEL-A",
        "attachment": "PIECE-JOINTE-CONFIDENTIELLE-A",
        "team report": "RAPPORT-EQUIPE-CONFIDENTIEL-A",
        "staff report": "RAPPORT-HC-CONFIDENTIEL-A",
        "wave report": "RAPPORT-VAGUE-CONFIDENTIEL",
        "expert's file": "AVIS-EXPERT-CONFIDENTIEL-A",
        "evidence": "JUSTIFICATIF-CONFIDENTIEL-A",
        # the territory's follow-up
        "unpublished challenge": w.hidden_challenge.title,
        "project of the unpublished challenge": w.hidden_project.name,
        "action of the plan being edited": w.action.title,
        "milestone": w.milestone.title,
        "plan comment": "Commentaire confidentiel A",
        "barrier": w.barrier.title,
    }
    # what the team of A alone (and the High Commission) may see: not even
    # the reviewer or the expert of A's candidacy under review
    w.team_only_markers = [
        "reference of the draft",
        "reference of the labelled candidacy",
        "attachment",
        "team report",
        "evidence",
        "unpublished challenge",
        "project of the unpublished challenge",
        "action of the plan being edited",
        "milestone",
        "plan comment",
        "barrier",
    ]
    w.markers_b = {
        "reference of B": w.review_b.reference,
        "territory of B": w.territory_b.name,
        "barrier of B": w.barrier_b.title,
        "action of B": "Action de l'équipe B",
    }
    return w
