from django.db import models
from django.utils.translation import gettext_lazy as _


class WaveStatus(models.TextChoices):
    UPCOMING = "upcoming", _("À venir")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")
    UNDER_REVIEW = "under_review", _("En instruction")
    DECIDED = "decided", _("Décisions publiées")


class CandidacyState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    UNDER_REVIEW = "under_review", _("En instruction")
    CHANGES_REQUESTED = "changes_requested", _("Compléments demandés")
    RESUBMITTED = "resubmitted", _("Complétée et redéposée")
    LABELLED = "labelled", _("Labellisée")
    REJECTED = "rejected", _("Non retenue")
    WITHDRAWN = "withdrawn", _("Retirée")


S = CandidacyState
# Every move allowed, declared once. Anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.CHANGES_REQUESTED, S.LABELLED, S.REJECTED}),
    S.CHANGES_REQUESTED: frozenset({S.RESUBMITTED}),
    S.RESUBMITTED: frozenset(
        {S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.LABELLED, S.REJECTED}
    ),
    S.LABELLED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# states in which the team edits its file
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
# states after a deposit: the file is in the High Commission's hands
SUBMITTED_STATES = frozenset(
    {S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.RESUBMITTED}
)
FINAL_STATES = frozenset({S.LABELLED, S.REJECTED, S.WITHDRAWN})


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Responsable de la candidature")
    CO_EDITOR = "co_editor", _("Co-rédacteur")
