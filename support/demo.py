"""Demo data of the follow-up: the validated support plan (version 1) of the
Territoire Lédonien, built around its challenges, and two regulatory
barriers reported to the desk (one answered and published, one under study).

Idempotent: the plan and the barriers are created once, through the
services (so that the validated version, the audit trail and the states are
those of real use); a second run finds them and changes nothing. Milestones
to come are dated from the day of the first load; one is late on purpose.
The prose is the demo's own, not a quotation of the programme.
"""

import datetime as dt

LEDONIEN = "territoire-ledonien"
STAFF_EMAIL = "hcess@demo.frenchimpact.test"
TEAM_EMAIL = "ledonien@demo.frenchimpact.test"

# (axis, lever, title, description, owner kind, owner name, milestones);
# a milestone is (title, due date or days from today, status)
PLAN_ACTIONS = [
    (
        "strategy",
        "ecosystem",
        "Comité territorial French Impact",
        "Réunir chaque trimestre, au Clus'Ter Jura à Conliège, les porteurs de "
        "projets, les élus du pays lédonien et les services de l'État pour "
        "suivre les trois défis du territoire.",
        "territory",
        "Clus'Ter Jura",
        [
            ("Premier comité de suivi après le label", dt.date(2019, 6, 14), "done"),
            ("Bilan annuel partagé avec les financeurs", 120, "planned"),
        ],
    ),
    (
        "strategy",
        "engineering",
        "Étude d'opportunité de la Maison des parcours",
        "Financer une mission d'ingénierie pour dimensionner la Maison des "
        "parcours et de la participation : publics, partenaires, locaux et "
        "modèle économique.",
        "state",
        "Haut-Commissariat à l'économie sociale et solidaire",
        [
            ("Cahier des charges de l'étude", dt.date(2019, 9, 30), "done"),
            ("Restitution de l'étude aux partenaires", -45, "in_progress"),
        ],
    ),
    (
        "financing",
        "novess",
        "Financement de l'habitat inclusif porté par SCICalliance",
        "Présenter au fonds Novess le programme d'habitat innovant de "
        "SCICalliance, qui mêle logements, activités et accompagnement de "
        "personnes vulnérables.",
        "partner",
        "Banque des Territoires",
        [
            ("Dossier de présentation déposé", dt.date(2020, 2, 28), "done"),
            ("Décision du comité d'engagement", 60, "planned"),
        ],
    ),
    (
        "financing",
        "bpifrance_fiso",
        "Amorçage de l'entreprise adaptée agrobiologique",
        "Mobiliser le dispositif FISO pour les premiers investissements de "
        "l'entreprise adaptée en maraîchage biologique qui emploiera des "
        "travailleurs reconnus handicapés (RQTH).",
        "partner",
        "Bpifrance",
        [("Plan de financement consolidé", 90, "planned")],
    ),
    (
        "regulation",
        "hackers",
        "Parcours RQTH entre entreprise adaptée et GEIQ",
        "Faire examiner par le guichet des Hackers French Impact les règles "
        "qui compliquent le passage d'un salarié RQTH de l'entreprise adaptée "
        "vers un contrat en alternance du GEIQ.",
        "state",
        "Haut-Commissariat à l'économie sociale et solidaire",
        [("Signalement déposé au guichet unique", dt.date(2019, 11, 15), "done")],
    ),
    (
        "synergies",
        "public_policies",
        "GEIQ sanitaire, social et médico-social",
        "Créer avec les employeurs du secteur un groupement d'employeurs pour "
        "l'insertion et la qualification, afin de former et recruter sur les "
        "métiers en tension du soin et de l'accompagnement.",
        "territory",
        "Clus'Ter Jura",
        [
            ("Assemblée constitutive du groupement", dt.date(2020, 1, 20), "done"),
            ("Première promotion de salariés en alternance", 150, "planned"),
        ],
    ),
    (
        "synergies",
        "ess_networks",
        "Coordination avec les réseaux de l'ESS régionaux",
        "Partager les outils de la Maison des parcours avec les réseaux de "
        "l'économie sociale et solidaire de Bourgogne-Franche-Comté.",
        "partner",
        "Réseaux de l'ESS",
        [],
    ),
    (
        "impact",
        "measurable_results",
        "Tableau de bord des défis",
        "Suivre chaque année les indicateurs des défis : personnes sans "
        "solution d'habitat, Maisons des parcours ouvertes, personnes RQTH "
        "professionnalisées.",
        "territory",
        "Clus'Ter Jura",
        [("Premières valeurs de référence collectées", 30, "in_progress")],
    ),
    (
        "companies",
        "mission_companies",
        "Entreprises du Jura partenaires de l'inclusion",
        "Inviter les entreprises engagées du bassin lédonien à proposer des "
        "stages et des emplois aux personnes accompagnées par le GEIQ et "
        "l'entreprise adaptée.",
        "partner",
        "Entreprises à mission",
        [],
    ),
]

# (title, blocking, legal text, impact, project, state, response, published)
BARRIERS = [
    (
        "Passage d'un salarié RQTH de l'entreprise adaptée vers le GEIQ",
        "Un salarié reconnu travailleur handicapé qui quitte l'entreprise "
        "adaptée pour un contrat en alternance dans le GEIQ perd "
        "l'accompagnement dont il bénéficiait, et l'entreprise adaptée ne "
        "peut pas le reprendre facilement si l'alternance échoue.",
        "Code du travail, dispositions relatives aux entreprises adaptées et "
        "aux groupements d'employeurs pour l'insertion et la qualification.",
        "Les employeurs hésitent à proposer ces parcours : une dizaine de "
        "personnes par an pourraient en bénéficier sur le territoire.",
        "Entreprise adaptée agrobiologique et GEIQ sanitaire et social",
        "answered",
        "Le guichet a étudié la situation avec les services du ministère du "
        "Travail. Les textes permettent déjà de sécuriser ce parcours : une "
        "convention entre l'entreprise adaptée et le GEIQ peut prévoir le "
        "maintien de l'accompagnement pendant l'alternance et les conditions "
        "d'un retour. Un modèle de convention est mis à disposition des "
        "territoires ; la direction régionale peut vous aider à l'adapter.",
        True,
    ),
    (
        "Mutualiser un bâtiment entre habitat inclusif et accueil médico-social",
        "SCICalliance souhaite accueillir dans un même bâtiment des logements "
        "inclusifs et une activité relevant d'un établissement médico-social. "
        "Les règles d'autorisation et de sécurité applicables à chaque usage "
        "semblent empêcher ce partage des locaux.",
        "Code de l'action sociale et des familles (autorisation des "
        "établissements et services) et règlement de sécurité des "
        "établissements recevant du public.",
        "Sans mutualisation, le projet d'habitat innovant doit financer deux "
        "bâtiments au lieu d'un, ce qui retarde son ouverture d'au moins deux "
        "ans.",
        "SCICalliance — habitat innovant",
        "under_study",
        "",
        False,
    ),
]


def load_demo_support() -> dict[str, int]:
    """Create the demo plan and barriers of the Territoire Lédonien if they do
    not exist yet. Returns the number of rows of each kind the demo holds.
    Does nothing (and returns zeros) if the territory is not loaded."""
    from django.db import transaction

    with transaction.atomic():
        return _load()


def _staff_actor():
    """The demo's High Commission account, or, when it is absent, the loader
    itself acting for the High Commission (recorded without an author)."""
    from accounts.models import User

    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is not None:
        return staff
    return _DemoLoader()


class _DemoLoader:
    """The demo loader acting as the High Commission: it holds the staff's
    permissions and the audit trail records the changes without an author."""

    is_authenticated = False
    is_active = True
    is_programme_staff = True
    pk = None
    email = ""

    def has_perm(self, perm, obj=None):
        return True


def _load() -> dict[str, int]:
    from django.utils import timezone

    from accounts.models import User
    from frenchimpact import audit
    from territories.models import Territory

    from . import services
    from .models import Action, Milestone, RegulatoryBarrier, SupportPlan

    counts = {"plans": 0, "actions": 0, "milestones": 0, "barriers": 0}
    territory = Territory.objects.filter(slug=LEDONIEN).first()
    if territory is None:
        return counts
    actor = _staff_actor()
    today = timezone.localdate()
    plan = SupportPlan.objects.filter(territory=territory).first()
    if plan is None:
        plan = SupportPlan.objects.create(
            territory=territory,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit.record(
            actor=actor, action="support.plan.created", obj=plan, to_state=plan.state
        )
        for position, (axis, lever, title, text, kind, owner, steps) in enumerate(
            PLAN_ACTIONS
        ):
            action = Action.objects.create(
                plan=plan,
                axis=axis,
                lever=lever,
                title=title,
                description=text,
                owner_kind=kind,
                owner_name=owner,
                position=position,
            )
            Milestone.objects.bulk_create(
                Milestone(
                    action=action,
                    title=step,
                    due_on=due
                    if isinstance(due, dt.date)
                    else today + dt.timedelta(days=due),
                    status=status,
                )
                for step, due, status in steps
            )
        services.transition_plan(plan_id=plan.pk, to_state="submitted", actor=actor)
        services.transition_plan(plan_id=plan.pk, to_state="validated", actor=actor)
    reporter = User.objects.filter(email=TEAM_EMAIL).first()
    for title, blocking, legal, impact, project, state, response, published in BARRIERS:
        if RegulatoryBarrier.objects.filter(territory=territory, title=title).exists():
            continue
        # the reporter is set once the barrier is answered: the demo sends no
        # e-mail to the demo account
        barrier = RegulatoryBarrier.objects.create(
            territory=territory,
            title=title,
            blocking=blocking,
            legal_text=legal,
            impact=impact,
            project=project,
        )
        audit.record(
            actor=reporter,
            action="support.barrier.received",
            obj=barrier,
            to_state=barrier.state,
        )
        if state in {"under_study", "answered"}:
            services.study_barrier(barrier=barrier, actor=actor)
        if state == "answered":
            services.answer_barrier(barrier=barrier, actor=actor, response=response)
        if published:
            services.set_barrier_published(barrier=barrier, actor=actor, published=True)
        RegulatoryBarrier.objects.filter(pk=barrier.pk).update(reporter=reporter)
    counts["plans"] = SupportPlan.objects.filter(territory=territory).count()
    counts["actions"] = Action.objects.filter(plan__territory=territory).count()
    counts["milestones"] = Milestone.objects.filter(
        action__plan__territory=territory
    ).count()
    counts["barriers"] = RegulatoryBarrier.objects.filter(territory=territory).count()
    return counts
