"""Filters of the public directory (django-filter)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from challenges.enums import Theme
from challenges.models import Challenge
from frenchimpact.text import fold

from . import selectors
from .enums import TerritoryKind
from .models import Label, Territory

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
    # the choices of these three come from one query, made per filter set
    # (see __init__ and selectors.directory_choices); a value outside them
    # is a form error
    region = django_filters.ChoiceFilter(
        label=_("Région"),
        method="filter_region",
        empty_label=_("Toutes les régions"),
    )
    departement = django_filters.ChoiceFilter(
        label=_("Département"),
        method="filter_department",
        empty_label=_("Tous les départements"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Nature du territoire"),
        choices=TerritoryKind.choices,
        empty_label=_("Toutes les natures"),
    )
    wave = django_filters.ChoiceFilter(
        label=_("Vague de labellisation"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in selectors.directory_choices().items():
            self.filters[name].extra["choices"] = choices

    def search(self, queryset, name, value):
        for word in fold(value).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Territory.regions.through.objects.filter(
                    territory=OuterRef("pk"), region__code=value
                )
            )
        )

    def filter_department(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Territory.departments.through.objects.filter(
                    territory=OuterRef("pk"), department__code=value
                )
            )
        )

    def filter_wave(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Label.objects.public().filter(
                    territory=OuterRef("pk"), wave__number=value
                )
            )
        )

    def filter_theme(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Challenge.objects.filter(
                    territory=OuterRef("pk"), theme=value, is_published=True
                )
            )
        )
