"""factory_boy factories with French fake data."""

import datetime as dt
import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.enums import Role
from accounts.models import User
from applications.enums import WaveStatus
from applications.models import Call, Wave
from challenges.enums import StructureKind, Theme
from challenges.models import Challenge, Indicator, Objective, Project
from frenchimpact.text import fold
from territories.enums import LabelStatus, OrganisationKind, TerritoryKind
from territories.models import Department, Label, Organisation, Region, Territory

faker = factory.Faker._get_faker(locale="fr_FR")
_siret_numbers = itertools.count(1)


def valid_siret(n: int) -> str:
    """A SIRET with a correct Luhn key (SIREN 9 digits + NIC 5 digits)."""
    from stdnum import luhn

    body = f"{n:013d}"
    return body + luhn.calc_check_digit(body)


class UserFactory(DjangoModelFactory):
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.APPLICANT
    password = factory.django.Password("motdepasse-solide-1")

    class Meta:
        model = User


class OrganisationFactory(DjangoModelFactory):
    name = factory.Faker("company", locale="fr_FR")
    kind = OrganisationKind.ASSOCIATION
    siret = factory.LazyFunction(lambda: valid_siret(next(_siret_numbers)))
    town = factory.Faker("city", locale="fr_FR")

    class Meta:
        model = Organisation


class CallFactory(DjangoModelFactory):
    name = "AMI permanent « Territoire French Impact »"
    slug = factory.Sequence(lambda n: f"ami-{n}")
    opened_on = dt.date(2018, 7, 1)

    class Meta:
        model = Call


class WaveFactory(DjangoModelFactory):
    call = factory.SubFactory(CallFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Vague {o.number}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=60))
    closes_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    status = WaveStatus.DECIDED

    class Meta:
        model = Wave


class TerritoryFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Territoire {faker.city()} {n}")
    slug = factory.Sequence(lambda n: f"territoire-{n}")
    kind = TerritoryKind.COMMUNAUTE_AGGLOMERATION
    summary = factory.Faker("sentence", locale="fr_FR")
    description = factory.Faker("paragraph", locale="fr_FR")
    lead_organisation = factory.SubFactory(OrganisationFactory)

    class Meta:
        model = Territory
        skip_postgeneration_save = True

    @factory.post_generation
    def departments(obj, create, extracted, **kwargs):
        if create:
            codes = extracted or ["39"]
            departments = list(Department.objects.filter(code__in=codes))
            obj.departments.set(departments)
            obj.regions.set(
                Region.objects.filter(departments__in=departments).distinct()
            )

    @factory.post_generation
    def search(obj, create, extracted, **kwargs):
        if create:
            from territories.services import refresh_search_text

            refresh_search_text(territory=obj)


class LabelFactory(DjangoModelFactory):
    territory = factory.SubFactory(TerritoryFactory)
    wave = factory.SubFactory(WaveFactory)
    number = factory.Sequence(lambda n: f"TFI-TEST-{n:05d}")
    awarded_on = dt.date(2019, 3, 22)
    status = LabelStatus.ACTIVE

    class Meta:
        model = Label


class ChallengeFactory(DjangoModelFactory):
    territory = factory.SubFactory(TerritoryFactory)
    title = factory.Sequence(lambda n: f"Défi {n}")
    theme = Theme.EMPLOI
    is_published = True

    class Meta:
        model = Challenge


class ProjectFactory(DjangoModelFactory):
    challenge = factory.SubFactory(ChallengeFactory)
    name = factory.Sequence(lambda n: f"Projet {n}")
    structure_kind = StructureKind.SCIC

    class Meta:
        model = Project


class IndicatorFactory(DjangoModelFactory):
    name = "Personnes professionnalisées"
    unit = "personnes"

    class Meta:
        model = Indicator
        django_get_or_create = ["folded_name"]

    folded_name = factory.LazyAttribute(lambda o: fold(o.name))


class ObjectiveFactory(DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    statement = "Professionnaliser des personnes"
    indicator = factory.SubFactory(IndicatorFactory)
    baseline = 0
    target = 25

    class Meta:
        model = Objective


def labelled_territory(**kwargs) -> Territory:
    """A territory with an active label (it appears in the directory)."""
    wave = kwargs.pop("wave", None)
    territory = TerritoryFactory(**kwargs)
    LabelFactory(territory=territory, **({"wave": wave} if wave else {}))
    return territory


# --- candidacies ------------------------------------------------------------


def open_wave(**kwargs) -> Wave:
    now = timezone.now()
    defaults = {
        "opens_at": now - dt.timedelta(days=10),
        "closes_at": now + dt.timedelta(days=20),
        "status": WaveStatus.OPEN,
    }
    return WaveFactory(**{**defaults, **kwargs})


def candidacy_for(user=None, wave=None, **kwargs):
    """A draft candidacy created through the service, ``user`` as its lead."""
    from applications import services

    user = user or UserFactory()
    wave = wave or open_wave()
    candidacy = services.create_candidacy(wave=wave, user=user)
    if kwargs:
        for name, value in kwargs.items():
            setattr(candidacy, name, value)
        candidacy.save()
    return candidacy


def complete(candidacy):
    """Fill every section so that the candidacy can be submitted."""
    from applications.models import Contact, Partner, ProposedChallenge
    from territories.enums import SupportAxis

    candidacy.territory_name = "Pays de Démonstration"
    candidacy.territory_kind = TerritoryKind.PAYS
    candidacy.region_codes = ["27"]
    candidacy.department_codes = ["39"]
    candidacy.perimeter = "Quatre intercommunalités autour de Lons-le-Saunier."
    candidacy.lead_name = "Clus'Ter Jura"
    candidacy.lead_kind = OrganisationKind.ASSOCIATION
    candidacy.lead_siret = "73282932000074"
    candidacy.lead_town = "Conliège"
    candidacy.diagnosis = "Un écosystème riche d'associations et de coopératives."
    candidacy.axis_expectations = {axis.value: "Des attentes." for axis in SupportAxis}
    candidacy.governance = "Un comité de pilotage mensuel."
    candidacy.resources = "Deux personnes à temps plein."
    candidacy.save()
    Contact.objects.create(
        candidacy=candidacy,
        name="Camille Martin",
        function="Directrice",
        email="camille@example.org",
    )
    Partner.objects.create(
        candidacy=candidacy,
        name="SCICalliance",
        kind=OrganisationKind.COOPERATIVE,
        role="Habitat",
        commitment="Met à disposition un chargé de mission.",
    )
    ProposedChallenge.objects.create(
        candidacy=candidacy,
        title="Emploi pour tous",
        theme=Theme.EMPLOI,
        objectives="25 personnes RQTH professionnalisées d'ici 2021.",
    )
    return candidacy


def wave_with_grid(**kwargs) -> Wave:
    """An open wave with a two-criterion grid (weights 60 and 40, /5)."""
    from applications.models import Criterion

    wave = open_wave(**kwargs)
    Criterion.objects.create(wave=wave, title="Écosystème", weight=60, position=0)
    Criterion.objects.create(wave=wave, title="Gouvernance", weight=40, position=1)
    return wave


def candidacy_under_review(wave=None):
    """A complete candidacy, submitted then put under review by staff."""
    from applications import services

    wave = wave or wave_with_grid()
    candidacy = complete(candidacy_for(wave=wave))
    services.submit_candidacy(candidacy_id=candidacy.pk, user=candidacy.created_by)
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    services.transition(candidacy_id=candidacy.pk, to_state="under_review", actor=staff)
    candidacy.refresh_from_db()
    return candidacy


def reviewed(candidacy, *values_per_reviewer, recommendation="label"):
    """Assign one reviewer per tuple of values, declare no conflict, submit."""
    from reviews import services

    staff = UserFactory(role=Role.STAFF, is_staff=True)
    criteria = list(candidacy.wave.criteria.order_by("position"))
    reviews = []
    for values in values_per_reviewer:
        reviewer = UserFactory(role=Role.REVIEWER)
        assignment = services.assign_reviewer(
            candidacy=candidacy, reviewer=reviewer, actor=staff
        )
        services.declare_interests(
            assignment=assignment, user=reviewer, has_conflict=False
        )
        reviews.append(
            services.save_review(
                assignment=assignment,
                user=reviewer,
                version=0,
                scores={
                    c.pk: (v, "Commentaire", True)
                    for c, v in zip(criteria, values, strict=True)
                },
                recommendation=recommendation,
                comment="Avis",
                submit=True,
            )
        )
    return reviews
