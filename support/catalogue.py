"""The programme's offer, lever by lever: what a new plan starts from.

Creating a plan seeds one action per lever with these owners and texts; the
team and the High Commission then remove or adapt what does not apply.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from territories.enums import SupportAxis

from .enums import AXIS_LEVERS, Lever, OwnerKind


@dataclass(frozen=True)
class LeverOffer:
    lever: str
    owner_kind: str
    owner_name: str
    description: Promise


HCESS = _(
    "Haut-Commissariat à l'économie sociale et solidaire et à l'innovation sociale"
)

OFFERS: dict[str, LeverOffer] = {
    offer.lever: offer
    for offer in [
        LeverOffer(
            Lever.ECOSYSTEM,
            OwnerKind.STATE,
            HCESS,
            _(
                "Réunir régulièrement les acteurs du territoire et l'équipe du "
                "French Impact pour partager la feuille de route."
            ),
        ),
        LeverOffer(
            Lever.ENGINEERING,
            OwnerKind.STATE,
            HCESS,
            _(
                "Mobiliser de l'ingénierie (études, appui méthodologique) pour "
                "construire et conduire le plan stratégique."
            ),
        ),
        LeverOffer(
            Lever.SEED_FUND,
            OwnerKind.STATE,
            HCESS,
            _("Orienter les projets naissants vers le fonds d'amorçage."),
        ),
        LeverOffer(
            Lever.INVESTMENT_FUND,
            OwnerKind.STATE,
            HCESS,
            _(
                "Préparer les projets prêts à changer d'échelle à une levée "
                "auprès du fonds d'investissement."
            ),
        ),
        LeverOffer(
            Lever.BPIFRANCE_FISO,
            OwnerKind.PARTNER,
            "Bpifrance",
            _("Étudier l'éligibilité des projets au dispositif FISO #2."),
        ),
        LeverOffer(
            Lever.NOVESS,
            OwnerKind.PARTNER,
            "Banque des Territoires",
            _("Présenter les projets de changement d'échelle au fonds Novess."),
        ),
        LeverOffer(
            Lever.HUBESS,
            OwnerKind.PARTNER,
            "HubESS",
            _(
                "Faire connaître aux structures du territoire la plateforme "
                "d'orientation vers les financements de l'ESS."
            ),
        ),
        LeverOffer(
            Lever.HACKERS,
            OwnerKind.STATE,
            HCESS,
            _(
                "Signaler au guichet unique des Hackers French Impact les "
                "freins réglementaires rencontrés par les projets."
            ),
        ),
        LeverOffer(
            Lever.FRANCE_EXPERIMENTATION,
            OwnerKind.STATE,
            "France Expérimentation",
            _(
                "Déposer à l'appel à projets France Expérimentation les projets "
                "qui demandent une dérogation à titre expérimental."
            ),
        ),
        LeverOffer(
            Lever.PUBLIC_POLICIES,
            OwnerKind.STATE,
            _("Services déconcentrés de l'État"),
            _(
                "Articuler le plan avec les politiques publiques conduites sur "
                "le territoire."
            ),
        ),
        LeverOffer(
            Lever.ESS_NETWORKS,
            OwnerKind.PARTNER,
            _("Réseaux de l'ESS"),
            _("Associer les têtes de réseau de l'ESS présentes sur le territoire."),
        ),
        LeverOffer(
            Lever.SUPPORT_NETWORKS,
            OwnerKind.PARTNER,
            _("Réseaux d'accompagnement"),
            _(
                "Construire les parcours d'accompagnement des porteurs de projet "
                "avec les incubateurs et accélérateurs."
            ),
        ),
        LeverOffer(
            Lever.FRENCH_TECH,
            OwnerKind.PARTNER,
            "La French Tech",
            _("Créer des passerelles avec la communauté French Tech locale."),
        ),
        LeverOffer(
            Lever.IMPACT_TOOLS,
            OwnerKind.STATE,
            HCESS,
            _(
                "Choisir une méthode de mesure d'impact et solliciter les fonds "
                "dédiés à l'évaluation."
            ),
        ),
        LeverOffer(
            Lever.MEASURABLE_RESULTS,
            OwnerKind.STATE,
            HCESS,
            _(
                "Fixer pour chaque défi des résultats mesurables et les suivre "
                "dans le temps."
            ),
        ),
        LeverOffer(
            Lever.MISSION_COMPANIES,
            OwnerKind.PARTNER,
            _("Entreprises à mission"),
            _("Rapprocher les projets des entreprises à mission du territoire."),
        ),
        LeverOffer(
            Lever.BCORP,
            OwnerKind.PARTNER,
            _("Communauté B Corp"),
            _("Mobiliser les entreprises certifiées B Corp comme partenaires."),
        ),
        LeverOffer(
            Lever.MEDEF,
            OwnerKind.PARTNER,
            "MEDEF",
            _("Solliciter le MEDEF territorial pour le mécénat de compétences."),
        ),
        LeverOffer(
            Lever.METI,
            OwnerKind.PARTNER,
            "METI",
            _("Associer les entreprises de taille intermédiaire du territoire."),
        ),
        LeverOffer(
            Lever.CPME,
            OwnerKind.PARTNER,
            "CPME",
            _("Associer les petites et moyennes entreprises du territoire."),
        ),
        LeverOffer(
            Lever.ENTREPRISES_CITE,
            OwnerKind.PARTNER,
            "Les entreprises pour la Cité",
            _("Développer des partenariats d'inclusion avec le réseau."),
        ),
        LeverOffer(
            Lever.ADMICAL,
            OwnerKind.PARTNER,
            "ADMICAL",
            _("Ouvrir les projets au mécénat d'entreprise."),
        ),
        LeverOffer(
            Lever.CROISSANCE_PLUS,
            OwnerKind.PARTNER,
            "Croissance +",
            _("Mettre les projets en relation avec des entrepreneurs en croissance."),
        ),
    ]
}


def seed_offers() -> list[tuple[str, LeverOffer]]:
    """(axis, offer) for every lever, axis by axis, in the programme's order."""
    return [
        (axis.value, OFFERS[lever])
        for axis in SupportAxis
        for lever in AXIS_LEVERS[axis.value]
    ]
