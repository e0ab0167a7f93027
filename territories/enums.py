from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    METROPOLE = "metropole", _("Métropole")
    COMMUNAUTE_URBAINE = "cu", _("Communauté urbaine")
    COMMUNAUTE_AGGLOMERATION = "ca", _("Communauté d'agglomération")
    COMMUNAUTE_COMMUNES = "cc", _("Communauté de communes")
    EPT = "ept", _("Établissement public territorial")
    PAYS = "pays", _("Pays / PETR")
    OTHER = "other", _("Autre groupement")


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    FONDATION = "fondation", _("Fondation")
    MUTUELLE = "mutuelle", _("Mutuelle")
    COOPERATIVE = "cooperative", _("Coopérative / SCIC")
    ENTREPRISE_SOCIALE = "entreprise_sociale", _("Entreprise sociale")
    COLLECTIVITE = "collectivite", _("Collectivité")
    ENTREPRISE_ENGAGEE = "entreprise_engagee", _("Entreprise engagée / à mission")
    INCUBATEUR = "incubateur", _("Incubateur")
    INVESTISSEUR = "investisseur", _("Investisseur")
    ETAT = "etat", _("État / opérateur")
    OTHER = "other", _("Autre")


class LabelStatus(models.TextChoices):
    ACTIVE = "active", _("Actif")
    CONDITIONAL = "conditional", _("Actif sous conditions")
    SUSPENDED = "suspended", _("Suspendu")
    REVOKED = "revoked", _("Retiré")
    EXPIRED = "expired", _("Expiré")


# a territory appears in the public directory while one of its labels is in
# one of these states
PUBLIC_LABEL_STATUSES = frozenset({LabelStatus.ACTIVE, LabelStatus.CONDITIONAL})


class SupportAxis(models.TextChoices):
    """The six axes of the tailored support plan."""

    STRATEGY = (
        "strategy",
        _("Co-construire un plan stratégique de développement territorial"),
    )
    FINANCING = (
        "financing",
        _("Soutenir le financement : amorçage et changement d'échelle"),
    )
    REGULATION = "regulation", _("Lever les freins réglementaires à l'innovation")
    SYNERGIES = (
        "synergies",
        _("Renforcer les synergies territoriales et la culture de la coopération"),
    )
    IMPACT = "impact", _("Promouvoir la mesure et l'évaluation de l'impact")
    COMPANIES = (
        "companies",
        _(
            "Créer des synergies avec les entreprises engagées "
            "et les réseaux entrepreneuriaux"
        ),
    )


L = LabelStatus
# the moves of a label, declared once (suspend, reinstate, revoke, lift the
# conditions, expire); anything else is refused
LABEL_TRANSITIONS: dict[str, frozenset[str]] = {
    L.ACTIVE: frozenset({L.SUSPENDED, L.REVOKED, L.EXPIRED}),
    L.CONDITIONAL: frozenset({L.ACTIVE, L.SUSPENDED, L.REVOKED, L.EXPIRED}),
    L.SUSPENDED: frozenset({L.ACTIVE, L.CONDITIONAL, L.REVOKED, L.EXPIRED}),
    L.REVOKED: frozenset(),
    L.EXPIRED: frozenset(),
}
