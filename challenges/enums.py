from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    HABITAT = "habitat", _("Habitat et vivre-ensemble")
    EMPLOI = "emploi", _("Emploi")
    TRANSITION = "transition", _("Transition écologique")
    SANTE = "sante", _("Santé et vulnérabilité")
    MOBILITE = "mobilite", _("Mobilité")
    ALIMENTATION = "alimentation", _("Alimentation")
    OTHER = "other", _("Autre")


class StructureKind(models.TextChoices):
    SCIC = "scic", _("SCIC (société coopérative d'intérêt collectif)")
    GEIQ = (
        "geiq",
        _("GEIQ (groupement d'employeurs pour l'insertion et la qualification)"),
    )
    EA = "ea", _("Entreprise adaptée")
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Coopérative")
    COLLECTIVITE = "collectivite", _("Collectivité")
    COORDINATION = "coordination", _("Dispositif de coordination")
    OTHER = "other", _("Autre")


# Units whose values add up across territories (a national total is shown);
# rates and shares do not.
NON_ADDITIVE_UNITS = frozenset(
    {"%", "pourcentage", "pourcentages", "pour cent", "taux", "ratio", "moyenne"}
)


class Progress(models.TextChoices):
    """Where an objective stands, from its reports, target and deadline."""

    NO_DATA = "no_data", _("Pas encore de mesure")
    ACHIEVED = "achieved", _("Atteint")
    ON_TRACK = "on_track", _("En bonne voie")
    AT_RISK = "at_risk", _("À risque")
    MISSED = "missed", _("Échéance dépassée")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")
