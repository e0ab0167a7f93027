"""Filters of the public API (django-filter).

Vocabularies (régions, départements, natures, waves, themes, statuses) are
closed: an unknown value is refused with the list of allowed values.
Identifiers (a territory's slug, a challenge's number...) work as searches:
an unknown one gives an empty list.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from applications.models import Wave
from challenges.enums import Theme
from challenges.models import Challenge, Objective, ProgressReport, Project
from territories.enums import PUBLIC_LABEL_STATUSES, LabelStatus, TerritoryKind
from territories.models import Department, Label, Region, Territory

MAX_ID = 2_147_483_647
PUBLIC_STATUS_CHOICES = [
    (status.value, status.label)
    for status in LabelStatus
    if status in PUBLIC_LABEL_STATUSES
]


def region_choices():
    return [
        (code, code)
        for code in Region.objects.order_by("code").values_list("code", flat=True)
    ]


def department_choices():
    return [
        (code, code)
        for code in Department.objects.order_by("code").values_list("code", flat=True)
    ]


def wave_choices():
    numbers = (
        Wave.objects.order_by("number").values_list("number", flat=True).distinct()
    )
    return [(str(number), str(number)) for number in numbers]


class IdFilter(django_filters.NumberFilter):
    """A positive integer identifier."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class GeographyFilterSet(django_filters.FilterSet):
    """Région and département of the territory at ``territory_path``."""

    territory_path = ""

    region = django_filters.ChoiceFilter(
        label=_("Code INSEE de la région"),
        choices=region_choices,
        method="filter_region",
    )
    departement = django_filters.ChoiceFilter(
        label=_("Code INSEE du département"),
        choices=department_choices,
        method="filter_department",
    )

    def _territories(self, **lookups):
        return Territory.objects.filter(**lookups).values("pk")

    def filter_region(self, queryset, name, value: str):
        return queryset.filter(
            **{f"{self.territory_path}pk__in": self._territories(regions__code=value)}
        )

    def filter_department(self, queryset, name, value: str):
        return queryset.filter(
            **{
                f"{self.territory_path}pk__in": self._territories(
                    departments__code=value
                )
            }
        )


class TerritoryFilter(GeographyFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Nature du territoire"), choices=TerritoryKind.choices
    )
    wave = django_filters.ChoiceFilter(
        label=_("Numéro de la vague de labellisation"),
        choices=wave_choices,
        method="filter_wave",
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème d'un défi publié"), choices=Theme.choices, method="filter_theme"
    )
    label_status = django_filters.ChoiceFilter(
        label=_("Statut du label"),
        choices=PUBLIC_STATUS_CHOICES,
        method="filter_label_status",
    )

    class Meta:
        model = Territory
        fields = ["region", "departement", "kind", "wave", "theme", "label_status"]

    def filter_wave(self, queryset, name, value: str):
        return queryset.filter(
            Exists(
                Label.objects.public().filter(
                    territory=OuterRef("pk"), wave__number=value
                )
            )
        )

    def filter_theme(self, queryset, name, value: str):
        return queryset.filter(
            Exists(
                Challenge.objects.filter(
                    territory=OuterRef("pk"), theme=value, is_published=True
                )
            )
        )

    def filter_label_status(self, queryset, name, value: str):
        return queryset.filter(
            Exists(Label.objects.filter(territory=OuterRef("pk"), status=value))
        )


class LabelFilter(GeographyFilterSet):
    territory_path = "territory__"

    kind = django_filters.ChoiceFilter(
        label=_("Nature du territoire"),
        choices=TerritoryKind.choices,
        field_name="territory__kind",
    )
    wave = django_filters.ChoiceFilter(
        label=_("Numéro de la vague de labellisation"),
        choices=wave_choices,
        field_name="wave__number",
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut du label"), choices=PUBLIC_STATUS_CHOICES
    )
    territory = django_filters.CharFilter(
        label=_("Identifiant du territoire"),
        field_name="territory__slug",
        max_length=200,
    )

    class Meta:
        model = Label
        fields = ["region", "departement", "kind", "wave", "status", "territory"]


class WaveFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Statut de la vague"), choices=Wave._meta.get_field("status").choices
    )

    class Meta:
        model = Wave
        fields = ["status"]


class ChallengeFilter(GeographyFilterSet):
    territory_path = "territory__"

    territory = django_filters.CharFilter(
        label=_("Identifiant du territoire"),
        field_name="territory__slug",
        max_length=200,
    )
    theme = django_filters.ChoiceFilter(label=_("Thème du défi"), choices=Theme.choices)
    wave = django_filters.ChoiceFilter(
        label=_("Numéro de la vague de labellisation du territoire"),
        choices=wave_choices,
        method="filter_wave",
    )

    class Meta:
        model = Challenge
        fields = ["region", "departement", "territory", "theme", "wave"]

    def filter_wave(self, queryset, name, value: str):
        return queryset.filter(
            Exists(
                Label.objects.public().filter(
                    territory=OuterRef("territory"), wave__number=value
                )
            )
        )


class ProjectFilter(GeographyFilterSet):
    territory_path = "challenge__territory__"

    territory = django_filters.CharFilter(
        label=_("Identifiant du territoire"),
        field_name="challenge__territory__slug",
        max_length=200,
    )
    challenge = IdFilter(label=_("Numéro du défi"), field_name="challenge_id")
    theme = django_filters.ChoiceFilter(
        label=_("Thème du défi"), choices=Theme.choices, field_name="challenge__theme"
    )

    class Meta:
        model = Project
        fields = ["region", "departement", "territory", "challenge", "theme"]


class ObjectiveFilter(GeographyFilterSet):
    territory_path = "project__challenge__territory__"

    territory = django_filters.CharFilter(
        label=_("Identifiant du territoire"),
        field_name="project__challenge__territory__slug",
        max_length=200,
    )
    challenge = IdFilter(label=_("Numéro du défi"), field_name="project__challenge_id")
    project = IdFilter(label=_("Numéro du projet"), field_name="project_id")
    theme = django_filters.ChoiceFilter(
        label=_("Thème du défi"),
        choices=Theme.choices,
        field_name="project__challenge__theme",
    )

    class Meta:
        model = Objective
        fields = ["region", "departement", "territory", "challenge", "project", "theme"]


class ProgressReportFilter(django_filters.FilterSet):
    territory = django_filters.CharFilter(
        label=_("Identifiant du territoire"),
        field_name="objective__project__challenge__territory__slug",
        max_length=200,
    )
    project = IdFilter(label=_("Numéro du projet"), field_name="objective__project_id")
    objective = IdFilter(label=_("Numéro de l'objectif"), field_name="objective_id")

    class Meta:
        model = ProgressReport
        fields = ["territory", "project", "objective"]
