"""Filters of the public directory (django-filter)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from applications.models import Wave
from challenges.enums import Theme
from challenges.models import Challenge
from frenchimpact.text import fold

from .enums import PUBLIC_LABEL_STATUSES, TerritoryKind
from .models import Department, Label, Region, Territory

MAX_QUERY_LENGTH = 100


class DirectoryFilter(django_filters.FilterSet):
    """Search and filters of ``/territoires/``.

    Unknown values make the form invalid: the field shows an error and the
    filter is ignored, the rest of the search still applies.
    """

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Nom, structure porteuse, secteur, défi…"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région"),
        queryset=Region.objects.filter(
            territories__labels__status__in=PUBLIC_LABEL_STATUSES
        ).distinct(),
        to_field_name="code",
        method="filter_region",
        empty_label=_("Toutes les régions"),
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Department.objects.filter(
            territories__labels__status__in=PUBLIC_LABEL_STATUSES
        )
        .distinct()
        .order_by("code"),
        to_field_name="code",
        method="filter_department",
        empty_label=_("Tous les départements"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Nature du territoire"),
        choices=TerritoryKind.choices,
        empty_label=_("Toutes les natures"),
    )
    wave = django_filters.ModelChoiceFilter(
        label=_("Vague de labellisation"),
        queryset=Wave.objects.filter(labels__isnull=False).distinct(),
        to_field_name="number",
        method="filter_wave",
        empty_label=_("Toutes les vagues"),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème des défis"),
        choices=Theme.choices,
        method="filter_theme",
        empty_label=_("Tous les thèmes"),
    )

    class Meta:
        model = Territory
        fields = ["q", "region", "departement", "kind", "wave", "theme"]

    def search(self, queryset, name, value):
        for word in fold(value).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Territory.regions.through.objects.filter(
                    territory=OuterRef("pk"), region=value
                )
            )
        )

    def filter_department(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Territory.departments.through.objects.filter(
                    territory=OuterRef("pk"), department=value
                )
            )
        )

    def filter_wave(self, queryset, name, value):
        return queryset.filter(
            Exists(Label.objects.public().filter(territory=OuterRef("pk"), wave=value))
        )

    def filter_theme(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Challenge.objects.filter(
                    territory=OuterRef("pk"), theme=value, is_published=True
                )
            )
        )
