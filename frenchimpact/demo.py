"""Demo data drawn from the programme's two source texts (``shared/seeds``).

Facts from the seeds: the permanent AMI opened in July 2018; the 20 territories
of wave 1 (2019); the Territoire Lédonien carried by Clus'Ter Jura, labelled on
22 March 2019 at Conliège, its three priority areas, its three challenges and
the four Juralliance projects with their objectives. The codes of each
territory are official COG codes, checked against the Etalab register when
the data are loaded. The seeds give no label date for the other nineteen
territories: they carry the date of the wave's decisions (demo value).
"""

import datetime as dt
from dataclasses import dataclass, field

from challenges.enums import StructureKind, Theme
from territories.enums import OrganisationKind, TerritoryKind

WAVE_1_DECISIONS = dt.date(2019, 3, 22)


@dataclass(frozen=True)
class TerritorySeed:
    slug: str
    name: str
    kind: str
    regions: list[str]
    departments: list[str]
    latitude: float
    longitude: float
    summary: str
    epci: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)


WAVE_1 = [
    TerritorySeed(
        "aix-marseille-provence",
        "Aix-Marseille-Provence",
        TerritoryKind.METROPOLE,
        ["93"],
        ["13"],
        43.29650,
        5.36980,
        "La métropole d'Aix-Marseille-Provence et ses 92 communes.",
        epci=["200054807"],
    ),
    TerritorySeed(
        "clermont-ferrand",
        "Clermont-Ferrand",
        TerritoryKind.METROPOLE,
        ["84"],
        ["63"],
        45.77720,
        3.08700,
        "Clermont Auvergne Métropole, au cœur du Puy-de-Dôme.",
        epci=["246300701"],
    ),
    TerritorySeed(
        "est-ensemble",
        "Est Ensemble",
        TerritoryKind.EPT,
        ["11"],
        ["93"],
        48.86380,
        2.44850,
        "L'établissement public territorial de neuf villes de Seine-Saint-Denis.",
        epci=["200057875"],
    ),
    TerritorySeed(
        "figeac",
        "Figeac",
        TerritoryKind.COMMUNAUTE_COMMUNES,
        ["76"],
        ["46"],
        44.60860,
        2.03170,
        "Le Grand-Figeac, communauté de communes rurale du Lot.",
        epci=["200067361"],
    ),
    TerritorySeed(
        "le-mans-sarthe",
        "Le Mans - Sarthe",
        TerritoryKind.OTHER,
        ["52"],
        ["72"],
        48.00610,
        0.19960,
        "Le Mans Métropole et le département de la Sarthe, associés.",
        epci=["247200132"],
    ),
    TerritorySeed(
        "lyon-metropole",
        "Lyon-Métropole",
        TerritoryKind.METROPOLE,
        ["84"],
        ["69"],
        45.76400,
        4.83570,
        "La Métropole de Lyon, collectivité à statut particulier.",
        epci=["200046977"],
    ),
    TerritorySeed(
        "mayotte",
        "Mayotte",
        TerritoryKind.DEPARTEMENT,
        ["06"],
        ["976"],
        -12.78060,
        45.22790,
        "Le département de Mayotte, dans l'océan Indien.",
    ),
    TerritorySeed(
        "montreuillois",
        "Montreuillois",
        TerritoryKind.PAYS,
        ["32"],
        ["62"],
        50.46470,
        1.76360,
        "Le pays du Montreuillois, sur la Côte d'Opale et son arrière-pays.",
        epci=["200069029", "200069235"],
    ),
    TerritorySeed(
        "nantes-metropole",
        "Nantes Métropole",
        TerritoryKind.METROPOLE,
        ["52"],
        ["44"],
        47.21840,
        -1.55360,
        "Nantes Métropole et ses 24 communes.",
        epci=["244400404"],
    ),
    TerritorySeed(
        "pays-de-grasse",
        "Pays de Grasse",
        TerritoryKind.COMMUNAUTE_AGGLOMERATION,
        ["93"],
        ["06"],
        43.65890,
        6.92390,
        "La communauté d'agglomération du Pays de Grasse.",
        epci=["200039857"],
    ),
    TerritorySeed(
        "region-bretagne",
        "Région Bretagne",
        TerritoryKind.REGION,
        ["53"],
        ["22", "29", "35", "56"],
        48.11730,
        -1.67780,
        "La région Bretagne et ses quatre départements.",
    ),
    TerritorySeed(
        "region-normandie",
        "Région Normandie",
        TerritoryKind.REGION,
        ["28"],
        ["14", "27", "50", "61", "76"],
        49.18290,
        -0.37070,
        "La région Normandie et ses cinq départements.",
    ),
    TerritorySeed(
        "region-nouvelle-aquitaine",
        "Région Nouvelle Aquitaine",
        TerritoryKind.REGION,
        ["75"],
        ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"],
        44.83780,
        -0.57920,
        "La région Nouvelle-Aquitaine, la plus vaste de l'Hexagone.",
    ),
    TerritorySeed(
        "roissy-pays-de-france",
        "Roissy Pays-de-France",
        TerritoryKind.COMMUNAUTE_AGGLOMERATION,
        ["11"],
        ["95", "77"],
        48.99730,
        2.37970,
        "La communauté d'agglomération Roissy Pays de France, autour de l'aéroport.",
        epci=["200055655"],
    ),
    TerritorySeed(
        "roubaix",
        "Roubaix",
        TerritoryKind.OTHER,
        ["32"],
        ["59"],
        50.69420,
        3.17460,
        "La ville de Roubaix, dans la Métropole européenne de Lille.",
        communes=["59512"],
    ),
    TerritorySeed(
        "strasbourg-eurometropole",
        "Strasbourg Eurométropole",
        TerritoryKind.METROPOLE,
        ["44"],
        ["67"],
        48.57340,
        7.75210,
        "L'Eurométropole de Strasbourg et ses 33 communes.",
        epci=["246700488"],
    ),
    TerritorySeed(
        "territoire-ledonien",
        "Territoire Lédonien",
        TerritoryKind.PAYS,
        ["27"],
        ["39"],
        46.67440,
        5.55470,
        "Le pays lédonien, dans le Jura, porté par le Clus'Ter Jura.",
        epci=["200071116", "200069615", "200072056", "200090579"],
        communes=["39300", "39164"],
    ),
    TerritorySeed(
        "territoire-olympique-2024",
        "Territoire Olympique 2024",
        TerritoryKind.OTHER,
        ["11"],
        ["93"],
        48.93620,
        2.35740,
        "Les villes de Seine-Saint-Denis qui accueillent les Jeux de Paris 2024.",
        epci=["200057867"],
    ),
    TerritorySeed(
        "valence-romans",
        "Valence-Romans",
        TerritoryKind.COMMUNAUTE_AGGLOMERATION,
        ["84"],
        ["26"],
        44.93340,
        4.89240,
        "Valence Romans Agglo, dans la Drôme.",
        epci=["200068781"],
    ),
    TerritorySeed(
        "vallee-de-la-marne",
        "Vallée de la Marne",
        TerritoryKind.COMMUNAUTE_AGGLOMERATION,
        ["11"],
        ["77"],
        48.84670,
        2.61280,
        "La communauté d'agglomération Paris - Vallée de la Marne.",
        epci=["200057958"],
    ),
]

LEDONIEN_DESCRIPTION = (
    "Autour de Lons-le-Saunier, les acteurs du pays lédonien — associations, "
    "entrepreneurs, élus — coopèrent au sein du Clus'Ter Jura pour changer "
    "d'échelle : mieux partager les savoir-faire, lever des verrous "
    "réglementaires, nouer des partenariats et accéder à de nouveaux outils "
    "de financement.\n\n"
    "Le label lui a été remis le 22 mars 2019 à Conliège, dans les locaux du "
    "Clus'Ter Jura, par le haut-commissaire à l'économie sociale et solidaire."
)

LEDONIEN_LEAD = {
    "name": "Clus'Ter Jura",
    "kind": OrganisationKind.ASSOCIATION,
    "town": "Conliège",
}

LEDONIEN_PRIORITY_AREAS = [
    ("Bassin lédonien", "Lons-le-Saunier et les communes qui l'entourent."),
    ("Bresse Jurassienne", "La plaine bressane, à l'ouest du département."),
    ("Petite Montagne", "Les plateaux du sud du Revermont."),
]

# (title, theme, description, projects); a project is (name, structure kind,
# description, objectives); an objective is a dict of Objective fields
LEDONIEN_CHALLENGES = [
    (
        "Habitat innovant et vivre-ensemble",
        Theme.HABITAT,
        "Habiter le territoire et y vivre ensemble grâce à une stratégie "
        "d'habitat innovant.",
        [
            (
                "SCICalliance",
                StructureKind.SCIC,
                "Une société coopérative qui veille au bon usage des bâtiments "
                "accueillant des personnes vulnérables (handicap, enfance "
                "protégée, personnes âgées, personnes migrantes) et des "
                "activités d'habitat, d'emploi, de formation, de loisirs, "
                "d'accompagnement à la vie autonome, de restauration ou de "
                "blanchisserie.",
                [
                    {
                        "statement": "Zéro sans toit, un habitat pour tous.",
                        "indicator": "Personnes vulnérables sans solution d'habitat",
                        "unit": "personnes",
                        "baseline": None,
                        "target": 0,
                        "deadline": None,
                    }
                ],
            ),
            (
                "Maison des parcours et de la Participation",
                StructureKind.COORDINATION,
                "Un dispositif qui coordonne les parcours de vie des adultes "
                "vulnérables : vie sociale, aides, emploi, loisirs, sport et "
                "culture, démarches, logement, formation, aidants, "
                "citoyenneté, numérique, mobilité, soins, parentalité, "
                "seniors. L'Agence régionale de santé l'a retenu comme projet "
                "innovant.",
                [
                    {
                        "statement": "Créer une Maison des Parcours par "
                        "territoire et par an.",
                        "indicator": "Maisons des Parcours créées",
                        "unit": "maisons par an",
                        "baseline": 0,
                        "target": 1,
                        "deadline": None,
                    }
                ],
            ),
        ],
    ),
    (
        "Emploi pour tous",
        Theme.EMPLOI,
        "Garantir un emploi à chacun, y compris aux personnes les plus "
        "éloignées du travail.",
        [
            (
                "GEIQ sanitaire, social et médico-social",
                StructureKind.GEIQ,
                "Un groupement d'employeurs pour l'insertion et la "
                "qualification, qui répond à la pénurie de main-d'œuvre "
                "qualifiée du secteur en qualifiant des personnes éloignées "
                "de l'emploi.",
                [],
            ),
            (
                "Entreprise adaptée (EA) agrobiologique",
                StructureKind.EA,
                "Une SCIC qui professionnalise des personnes reconnues "
                "travailleurs handicapés (RQTH), orientées vers le milieu "
                "ordinaire, dans quatre métiers : cuisine centrale, service en "
                "restauration, transformation agroalimentaire, logistique et "
                "transport.",
                [
                    {
                        "statement": "Professionnaliser 25 personnes ayant "
                        "une RQTH avec orientation milieu ordinaire d'ici 2021.",
                        "indicator": "Personnes RQTH professionnalisées",
                        "unit": "personnes",
                        "baseline": 0,
                        # set when the label was awarded
                        "baseline_on": WAVE_1_DECISIONS,
                        "target": 25,
                        "deadline": dt.date(2021, 12, 31),
                    }
                ],
            ),
        ],
    ),
    (
        "Transition écologique",
        Theme.TRANSITION,
        "Faire du pays lédonien un territoire qui réussit sa transition écologique.",
        [],
    ),
]

# The wave-1 scoring grid follows the aims the programme text gives the call.
WAVE_1_GRID = [
    (
        "Renforcer l'écosystème local de l'innovation sociale",
        "Animation, ingénierie et outils au service des acteurs du territoire.",
        25,
    ),
    (
        "Mettre en synergie les acteurs",
        "Coopération entre associations, entreprises, collectivités et citoyens.",
        20,
    ),
    (
        "Favoriser l'émergence, le développement et l'essaimage des innovations "
        "sociales",
        "Détection, accompagnement et changement d'échelle des projets.",
        25,
    ),
    (
        "Ambition des défis",
        "Défis sociaux et écologiques du territoire, objectifs chiffrés.",
        15,
    ),
    (
        "Gouvernance et coopération",
        "Pilotage partagé, rôles de la structure porteuse et des partenaires.",
        15,
    ),
]

DEMO_PASSWORD = "demo-French-Impact-2019"  # noqa: S105 - shown to newcomers

# (e-mail, first name, last name, role)
DEMO_ACCOUNTS = [
    ("porteur@demo.frenchimpact.test", "Camille", "Porteur", "applicant"),
    ("instructeur@demo.frenchimpact.test", "Dominique", "Instructeur", "reviewer"),
    ("expert@demo.frenchimpact.test", "Alix", "Expert", "expert"),
    ("hcess@demo.frenchimpact.test", "Sacha", "Commission", "staff"),
    ("ledonien@demo.frenchimpact.test", "Claude", "Clus'Ter Jura", "applicant"),
]
# the team of the Territoire Lédonien (lead of its wave-1 candidacy)
LEDONIEN_TEAM_EMAIL = "ledonien@demo.frenchimpact.test"

# Measures reported by the Lédonien team: (project, date, value, comment)
LEDONIEN_PROGRESS = [
    (
        "SCICalliance",
        dt.date(2019, 6, 30),
        42,
        "Premier recensement des personnes sans solution d'habitat adaptée.",
    ),
    (
        "SCICalliance",
        dt.date(2020, 6, 30),
        27,
        "Deux bâtiments réaffectés à l'habitat inclusif.",
    ),
    (
        "Maison des parcours et de la Participation",
        dt.date(2020, 9, 15),
        1,
        "Ouverture de la première Maison des parcours à Lons-le-Saunier.",
    ),
    (
        "Entreprise adaptée (EA) agrobiologique",
        dt.date(2019, 12, 31),
        6,
        "Six salariés en cuisine centrale et en logistique.",
    ),
    (
        "Entreprise adaptée (EA) agrobiologique",
        dt.date(2020, 12, 31),
        11,
        "Recrutements ralentis par la crise sanitaire.",
    ),
]


def load_demo(*, with_accounts: bool = True) -> dict[str, int]:
    """Create or update the demo data. Idempotent: a second run changes nothing.

    Returns the number of rows of each kind that the demo data hold.
    """
    from django.db import transaction

    with transaction.atomic():
        return _load_demo(with_accounts=with_accounts)


def _load_demo(*, with_accounts: bool) -> dict[str, int]:
    from django.utils import timezone

    from accounts.models import User
    from applications.enums import WaveStatus
    from applications.models import Call, Criterion, Wave
    from challenges.models import Challenge, Indicator, Objective, Project
    from frenchimpact.text import fold
    from territories import services
    from territories.models import (
        Department,
        Label,
        Organisation,
        PriorityArea,
        Region,
        Territory,
    )
    from territories.validators import validate_commune_codes, validate_epci_codes

    services.sync_geography()
    paris = timezone.get_default_timezone()
    call, _ = Call.objects.update_or_create(
        slug="ami-territoire-french-impact",
        defaults={
            "name": "AMI permanent « Territoire French Impact »",
            "opened_on": dt.date(2018, 7, 1),
            "description": (
                "Appel à manifestation d'intérêt permanent pour labelliser les "
                "territoires qui renforcent leur écosystème d'innovation "
                "sociale."
            ),
        },
    )
    wave, _ = Wave.objects.update_or_create(
        call=call,
        number=1,
        defaults={
            "name": "Vague 1 (2019)",
            "opens_at": dt.datetime(2018, 7, 1, 9, 0, tzinfo=paris),
            "closes_at": dt.datetime(2018, 12, 31, 23, 59, tzinfo=paris),
            "decisions_published_on": WAVE_1_DECISIONS,
            "status": WaveStatus.DECIDED,
        },
    )
    # the seeds announce a second wave before the end of 2019; the demo keeps
    # it open around today so that a newcomer can try applying
    today = timezone.localdate()
    wave_2, _ = Wave.objects.update_or_create(
        call=call,
        number=2,
        defaults={
            "name": "Vague 2",
            "opens_at": dt.datetime.combine(
                today - dt.timedelta(days=30), dt.time(9, 0), tzinfo=paris
            ),
            "closes_at": dt.datetime.combine(
                today + dt.timedelta(days=60), dt.time(23, 59), tzinfo=paris
            ),
            "status": WaveStatus.OPEN,
        },
    )
    # wave 2 publishes the same grid, before its deposits open
    for grid_wave in (wave, wave_2):
        for position, (title, description, weight) in enumerate(WAVE_1_GRID):
            Criterion.objects.update_or_create(
                wave=grid_wave,
                title=title,
                defaults={
                    "description": description,
                    "weight": weight,
                    "scale_max": 5,
                    "position": position,
                },
            )
    lead, _ = Organisation.objects.update_or_create(
        name=LEDONIEN_LEAD["name"],
        defaults={k: v for k, v in LEDONIEN_LEAD.items() if k != "name"},
    )
    counts = {
        "territories": 0,
        "labels": 0,
        "challenges": 0,
        "projects": 0,
        "objectives": 0,
        "priority_areas": 0,
        "accounts": 0,
    }
    for number, seed in enumerate(sorted(WAVE_1, key=lambda s: s.slug), start=1):
        validate_epci_codes(seed.epci)
        validate_commune_codes(seed.communes)
        territory, _ = Territory.objects.update_or_create(
            slug=seed.slug,
            defaults={
                "name": seed.name,
                "kind": seed.kind,
                "epci_codes": seed.epci,
                "commune_codes": seed.communes,
                "latitude": seed.latitude,
                "longitude": seed.longitude,
                "summary": seed.summary,
                "lead_organisation": lead
                if seed.slug == "territoire-ledonien"
                else None,
                "description": LEDONIEN_DESCRIPTION
                if seed.slug == "territoire-ledonien"
                else "",
            },
        )
        territory.regions.set(Region.objects.filter(code__in=seed.regions))
        territory.departments.set(Department.objects.filter(code__in=seed.departments))
        Label.objects.update_or_create(
            territory=territory,
            wave=wave,
            defaults={
                "number": f"TFI-2019-{number:03d}",
                "awarded_on": WAVE_1_DECISIONS,
                "status": "active",
            },
        )
        counts["territories"] += 1
        counts["labels"] += 1
        if seed.slug == "territoire-ledonien":
            for position, (name, description) in enumerate(LEDONIEN_PRIORITY_AREAS):
                PriorityArea.objects.update_or_create(
                    territory=territory,
                    name=name,
                    defaults={"description": description, "position": position},
                )
                counts["priority_areas"] += 1
            for c_pos, (title, theme, text, projects) in enumerate(LEDONIEN_CHALLENGES):
                challenge, _ = Challenge.objects.update_or_create(
                    territory=territory,
                    title=title,
                    defaults={
                        "theme": theme,
                        "description": text,
                        "position": c_pos,
                        "is_published": True,
                    },
                )
                counts["challenges"] += 1
                for p_pos, (name, kind, p_text, objectives) in enumerate(projects):
                    project, _ = Project.objects.update_or_create(
                        challenge=challenge,
                        name=name,
                        defaults={
                            "structure_kind": kind,
                            "description": p_text,
                            "position": p_pos,
                        },
                    )
                    counts["projects"] += 1
                    for o_pos, objective in enumerate(objectives):
                        fields = dict(objective)
                        indicator, _ = Indicator.objects.get_or_create(
                            folded_name=fold(fields.pop("indicator")),
                            defaults={
                                "name": objective["indicator"],
                                "unit": fields.pop("unit"),
                            },
                        )
                        fields.pop("unit", None)
                        Objective.objects.update_or_create(
                            project=project,
                            position=o_pos,
                            defaults={**fields, "indicator": indicator},
                        )
                        counts["objectives"] += 1
        services.refresh_search_text(territory=territory)
    if with_accounts:
        for email, first_name, last_name, role in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    first_name=first_name,
                    last_name=last_name,
                    role=role,
                    is_staff=role == "staff",
                )
            counts["accounts"] += 1
        counts["progress_reports"] = _ledonien_follow_up(wave)
    from support.demo import load_demo_support

    counts.update(load_demo_support())
    return counts


def _ledonien_follow_up(wave) -> int:
    """The Lédonien team (its labelled wave-1 candidacy), its measures and
    the current year's reporting campaign. Returns the number of measures."""
    from django.utils import timezone

    from accounts.models import User
    from applications.enums import CandidacyState, TeamRole
    from applications.models import Candidacy, TeamMembership
    from challenges.models import Objective, ProgressReport, ReportingCampaign
    from territories.models import Territory

    territory = Territory.objects.get(slug="territoire-ledonien")
    team = User.objects.get(email=LEDONIEN_TEAM_EMAIL)
    candidacy, _ = Candidacy.objects.update_or_create(
        reference="TFI-V1-LEDON",
        defaults={
            "wave": wave,
            "territory": territory,
            "territory_name": territory.name,
            "territory_kind": territory.kind,
            "lead_name": LEDONIEN_LEAD["name"],
            "state": CandidacyState.LABELLED,
            "created_by": team,
        },
    )
    TeamMembership.objects.get_or_create(
        candidacy=candidacy, user=team, defaults={"role": TeamRole.LEAD}
    )
    count = 0
    for project, on, value, comment in LEDONIEN_PROGRESS:
        objective = Objective.objects.get(
            project__challenge__territory=territory, project__name=project
        )
        ProgressReport.objects.update_or_create(
            objective=objective,
            reported_on=on,
            defaults={"value": value, "comment": comment, "created_by": team},
        )
        count += 1
    year = timezone.localdate().year
    ReportingCampaign.objects.get_or_create(
        year=year,
        defaults={
            "opens_on": dt.date(year, 1, 15),
            "closes_on": dt.date(year, 12, 31),
        },
    )
    return count
