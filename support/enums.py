"""States, kinds and the catalogue of levers of the support plans and of the
regulatory-barrier desk. Every allowed move is declared here, once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.enums import SupportAxis

# --- Support plan -------------------------------------------------------------


class PlanState(models.TextChoices):
    DRAFT = "draft", _("En cours d'élaboration")
    SUBMITTED = "submitted", _("Soumis à validation")
    VALIDATED = "validated", _("Validé")


P = PlanState
# the moves of a plan, declared once; anything else is refused. A validated
# plan goes back to draft when someone edits it: that opens the next version.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    P.DRAFT: frozenset({P.SUBMITTED}),
    P.SUBMITTED: frozenset({P.VALIDATED, P.DRAFT}),
    P.VALIDATED: frozenset({P.DRAFT}),
}
# states in which the plan's content (actions, milestones) may be changed;
# editing a validated plan reopens a draft of the next version
EDITABLE_PLAN_STATES = frozenset({P.DRAFT, P.VALIDATED})


class OwnerKind(models.TextChoices):
    """Who carries an action of the plan."""

    TERRITORY = "territory", _("Le territoire")
    STATE = "state", _("L'État")
    PARTNER = "partner", _("Une organisation partenaire")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisé")
    BLOCKED = "blocked", _("Bloqué")


M = MilestoneStatus
# a blocked milestone resumes before it is done; a done milestone may be
# reopened (it turned out unfinished) but does not go back to « planned »
MILESTONE_TRANSITIONS: dict[str, frozenset[str]] = {
    M.PLANNED: frozenset({M.IN_PROGRESS, M.DONE, M.BLOCKED}),
    M.IN_PROGRESS: frozenset({M.PLANNED, M.DONE, M.BLOCKED}),
    M.BLOCKED: frozenset({M.PLANNED, M.IN_PROGRESS}),
    M.DONE: frozenset({M.IN_PROGRESS}),
}


class CommentAuthorRole(models.TextChoices):
    TEAM = "team", _("Équipe du territoire")
    STAFF = "staff", _("Haut-Commissariat")


# --- Catalogue of levers (the programme's offer, per axis) ----------------------


class Lever(models.TextChoices):
    """The sub-items of the six axes of the programme: what the State and its
    partners offer a labelled territory."""

    # 1. strategy
    ECOSYSTEM = "ecosystem", _("Animation de l'écosystème")
    ENGINEERING = "engineering", _("Soutien en ingénierie")
    # 2. financing
    SEED_FUND = "seed_fund", _("Fonds d'amorçage")
    INVESTMENT_FUND = "investment_fund", _("Fonds d'investissement")
    BPIFRANCE_FISO = "bpifrance_fiso", _("Bpifrance — FISO #2")
    NOVESS = "novess", _("Banque des Territoires — Novess")
    HUBESS = "hubess", _("HubESS")
    # 3. regulation
    HACKERS = "hackers", _("Hackers French Impact (guichet unique)")
    FRANCE_EXPERIMENTATION = (
        "france_experimentation",
        _("Appel à projets France Expérimentation"),
    )
    # 4. synergies
    PUBLIC_POLICIES = "public_policies", _("Politiques publiques")
    ESS_NETWORKS = "ess_networks", _("Réseaux de l'ESS")
    SUPPORT_NETWORKS = "support_networks", _("Réseaux d'accompagnement")
    FRENCH_TECH = "french_tech", _("La French Tech")
    # 5. impact
    IMPACT_TOOLS = "impact_tools", _("Outils et fonds d'évaluation d'impact")
    MEASURABLE_RESULTS = (
        "measurable_results",
        _("Résultats mesurables sur les défis"),
    )
    # 6. companies
    MISSION_COMPANIES = "mission_companies", _("Entreprises à mission")
    BCORP = "bcorp", _("B Corp")
    MEDEF = "medef", _("MEDEF")
    METI = "meti", _("METI")
    CPME = "cpme", _("CPME")
    ENTREPRISES_CITE = "entreprises_cite", _("Les entreprises pour la Cité")
    ADMICAL = "admical", _("ADMICAL")
    CROISSANCE_PLUS = "croissance_plus", _("Croissance +")


A = SupportAxis
L = Lever
# the levers of each axis, in the order of the programme's text
AXIS_LEVERS: dict[str, tuple[str, ...]] = {
    A.STRATEGY: (L.ECOSYSTEM, L.ENGINEERING),
    A.FINANCING: (
        L.SEED_FUND,
        L.INVESTMENT_FUND,
        L.BPIFRANCE_FISO,
        L.NOVESS,
        L.HUBESS,
    ),
    A.REGULATION: (L.HACKERS, L.FRANCE_EXPERIMENTATION),
    A.SYNERGIES: (
        L.PUBLIC_POLICIES,
        L.ESS_NETWORKS,
        L.SUPPORT_NETWORKS,
        L.FRENCH_TECH,
    ),
    A.IMPACT: (L.IMPACT_TOOLS, L.MEASURABLE_RESULTS),
    A.COMPANIES: (
        L.MISSION_COMPANIES,
        L.BCORP,
        L.MEDEF,
        L.METI,
        L.CPME,
        L.ENTREPRISES_CITE,
        L.ADMICAL,
        L.CROISSANCE_PLUS,
    ),
}
LEVER_AXIS: dict[str, str] = {
    lever: axis for axis, levers in AXIS_LEVERS.items() for lever in levers
}


# --- Regulatory-barrier desk ---------------------------------------------------


class BarrierState(models.TextChoices):
    RECEIVED = "received", _("Reçu")
    UNDER_STUDY = "under_study", _("À l'étude")
    ANSWERED = "answered", _("Répondu")
    REFERRED = "referred", _("Orienté vers France Expérimentation")
    CLOSED = "closed", _("Clos : non recevable")


B = BarrierState
# triage, then one outcome; anything else is refused
BARRIER_TRANSITIONS: dict[str, frozenset[str]] = {
    B.RECEIVED: frozenset({B.UNDER_STUDY, B.REFERRED, B.CLOSED}),
    B.UNDER_STUDY: frozenset({B.ANSWERED, B.REFERRED, B.CLOSED}),
    B.ANSWERED: frozenset(),
    B.REFERRED: frozenset(),
    B.CLOSED: frozenset(),
}
# states in which the desk still has work to do
OPEN_BARRIER_STATES = frozenset({B.RECEIVED, B.UNDER_STUDY})
# outcomes that carry a written response sent to the reporter
RESPONSE_STATES = frozenset({B.ANSWERED, B.REFERRED, B.CLOSED})
# only an answered barrier may be published
PUBLISHABLE_STATES = frozenset({B.ANSWERED})
