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
